package langid

import (
	"syscall"
	"unsafe"
)

// madvCollapse is Linux's MADV_COLLAPSE (6.1+), which package syscall does
// not name.
const madvCollapse = 25

// hugePages asks Linux to back the 2 MiB-aligned interior of s with
// transparent huge pages, now (MADV_COLLAPSE) or when khugepaged gets to
// it (MADV_HUGEPAGE; systems default to huge pages only where asked). Short
// texts are scored by random lookups into these tables, hundreds of MB:
// with 4 KiB pages nearly every lookup also misses the TLB and walks the
// page tables, which in a virtual machine costs as much as the cache miss.
// 2 MiB pages cut that out: +8-15% on short texts (bench/langid/RESULTS.md).
// It is advice: where it is refused (an older kernel, huge pages off) the
// tables work the same, only slower. It reports whether the pages were
// collapsed now. s must be fully written (collapsing
// copies the pages) and live as long as its owner: the Go heap does not
// move it, and it is used in full, so the huge pages cost no memory.
func hugePages[T any](s []T) (collapsed bool) {
	const huge = 2 << 20
	n := uintptr(len(s)) * unsafe.Sizeof(*new(T))
	if n < huge {
		return false
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := (huge - start%huge) % huge
	hi := lo + (n-lo)/huge*huge
	if hi <= lo {
		return false
	}
	mem := b[lo:hi]
	_ = syscall.Madvise(mem, syscall.MADV_HUGEPAGE)
	return syscall.Madvise(mem, madvCollapse) == nil
}
