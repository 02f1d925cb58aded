package shards

import "math/bits"

// Splitmix64 is a fixed, well-mixed 64-bit hash (Steele, Lea and Flood):
// the feed's keys and shuffles are built on it so they never change with
// the Go version, as math/rand's algorithms may.
func Splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Rand is a seeded splitmix64 stream with unbiased bounded draws.
type Rand struct{ s uint64 }

// NewRand starts a stream at seed.
func NewRand(seed uint64) *Rand { return &Rand{s: seed} }

// Uint64 is the next value.
func (r *Rand) Uint64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return Splitmix64(r.s)
}

// Below is uniform in [0, n) (Lemire's multiply-and-reject).
func (r *Rand) Below(n uint64) uint64 {
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}

// Shuffle permutes n items by Fisher–Yates.
func (r *Rand) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, int(r.Below(uint64(i+1))))
	}
}
