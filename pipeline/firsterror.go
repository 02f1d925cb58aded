package pipeline

import "sync"

// firstError keeps the first non-nil error set from any goroutine. The
// ingest and publish loops read it between records while stream callbacks
// on other goroutines set it; a plain variable there is a data race.
type firstError struct {
	mu  sync.Mutex
	err error
}

// set records err unless an error is already kept; nil is ignored.
func (f *firstError) set(err error) {
	if err == nil {
		return
	}
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.mu.Unlock()
}

func (f *firstError) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
