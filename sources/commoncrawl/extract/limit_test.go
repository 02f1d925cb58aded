package extract

import (
	"errors"
	"testing"
)

// blocking never finishes until released: a stand-in for a pathological
// page, so the test needs no timing of its own.
type blocking struct{ release chan struct{} }

func (b blocking) Extract([]byte, string) (Result, error) {
	<-b.release
	return Result{Text: "late"}, nil
}

type panicky struct{}

func (panicky) Extract([]byte, string) (Result, error) { panic("boom") }

func TestLimited(t *testing.T) {
	b := blocking{release: make(chan struct{})}
	defer close(b.release)
	x := Limited(b, Limits{Timeout: 1})
	if _, err := x.Extract([]byte("<p>x</p>"), ""); !errors.Is(err, ErrTimeout) {
		t.Errorf("blocking extractor: err = %v, want ErrTimeout", err)
	}
	x = Limited(NewFast(Options{}), Limits{MaxBytes: 16})
	if _, err := x.Extract([]byte("<p>more than ten bytes</p>"), ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("large page: err = %v, want ErrTooLarge", err)
	}
	if r, err := x.Extract([]byte("<p>short.</p>"), ""); err != nil || r.Text != "short." {
		t.Errorf("small page: %q, %v", r.Text, err)
	}
	x = Limited(panicky{}, Limits{Timeout: 1 << 40})
	if _, err := x.Extract(nil, ""); err == nil {
		t.Error("a panic in the extractor must come back as an error")
	}
}
