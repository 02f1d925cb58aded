package extract

import (
	"fmt"
	"time"
)

// Limits bound the extraction of one page, so a pathological page (a
// multi-megabyte table, a parser blow-up) cannot stall a task.
type Limits struct {
	// MaxBytes refuses larger pages with ErrTooLarge; 0: no limit.
	MaxBytes int
	// Timeout gives up on a page after this long with ErrTimeout; 0: no
	// limit. Go cannot stop a running goroutine: the abandoned extraction
	// runs to its end in the background and its result is dropped, but the
	// caller moves on at once.
	Timeout time.Duration
}

// Limited wraps x with the limits l.
func Limited(x Extractor, l Limits) Extractor {
	if l.MaxBytes <= 0 && l.Timeout <= 0 {
		return x
	}
	return limited{x: x, l: l}
}

type limited struct {
	x Extractor
	l Limits
}

type outcome struct {
	res Result
	err error
}

func (lx limited) Extract(page []byte, pageURL string) (Result, error) {
	if lx.l.MaxBytes > 0 && len(page) > lx.l.MaxBytes {
		return Result{}, ErrTooLarge
	}
	if lx.l.Timeout <= 0 {
		return lx.x.Extract(page, pageURL)
	}
	done := make(chan outcome, 1) // buffered: an abandoned run never blocks
	go func() {
		defer func() {
			// A panic in a goroutine would end the process; the page is
			// one bad record.
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("extractor panicked: %v", p)}
			}
		}()
		r, err := lx.x.Extract(page, pageURL)
		done <- outcome{r, err}
	}()
	t := time.NewTimer(lx.l.Timeout)
	defer t.Stop()
	select {
	case o := <-done:
		return o.res, o.err
	case <-t.C:
		return Result{}, ErrTimeout
	}
}
