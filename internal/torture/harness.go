package torture

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// Result is what reading one input gave.
type Result struct {
	Docs    []*doc.Document
	Skipped []*doc.RecordError
	Final   error // the error that ended the input (or its planning)
	// Panic and Hung are the harness's verdicts: a recovered panic, or no
	// end within the time bound.
	Panic any
	Hung  bool
	// PeakHeap is the highest live-heap growth seen while reading.
	PeakHeap uint64
	Elapsed  time.Duration
}

// Read plans and reads one input through kind the way an ingest task
// does, in a goroutine watched for panics, a time bound and heap growth.
func Read(kind sources.Kind, path string, size int64, bound time.Duration) *Result {
	res := &Result{}
	done := make(chan struct{})
	runtime.GC()
	base := heapBytes()
	start := time.Now()
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				res.Panic = p
			}
		}()
		units, err := kind.Units([]sources.Input{{Path: path, Size: size}})
		if err != nil {
			res.Final = err
			return
		}
		for _, u := range units {
			r, err := kind.Open(u)
			if err != nil {
				res.Final = err
				return
			}
			docs, skipped, err := doc.ReadAll(r)
			r.Close()
			res.Docs = append(res.Docs, docs...)
			res.Skipped = append(res.Skipped, skipped...)
			if err != nil {
				res.Final = err
				return
			}
		}
	}()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.NewTimer(bound)
	defer deadline.Stop()
	for {
		select {
		case <-done:
			res.Elapsed = time.Since(start)
			res.sample(base)
			return res
		case <-tick.C:
			res.sample(base)
		case <-deadline.C:
			res.Hung = true
			res.Elapsed = time.Since(start)
			return res
		}
	}
}

func (r *Result) sample(base uint64) {
	if h := heapBytes(); h > base && h-base > r.PeakHeap {
		r.PeakHeap = h - base
	}
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapBytes() uint64 {
	metrics.Read(heapSample)
	return heapSample[0].Value.Uint64()
}

// located matches an error text that says where: an offset, a byte, a
// line, a page, an entry, a stream or member, with a number.
var located = regexp.MustCompile(`(?i)(offset|byte|line|page|entry|stream|member|record|row|header|bytes)\D{0,40}\d|\d+ bytes`)

// Limits a case is held to.
type Limits struct {
	Time time.Duration
	Heap uint64
}

// Order is how a mutant's documents must relate to the intact input's.
type Order int

const (
	// AnyDocs checks no documents (damage inside the data, whose effect
	// on the records around it depends on the compression).
	AnyDocs Order = iota
	// Prefix: every document but the last equals the intact input's, in
	// order (a cut leaves what came before it alone).
	Prefix
	// Unchanged: every document but the last that the intact input also
	// has is unchanged. For readers that decide per input from data that
	// may come after the cut (an archive's licence file): they may keep
	// more, never alter.
	Unchanged
)

// BeforeDamage checks that the records an input cut where the damage
// starts yields (all but its last, which the cut may have split) still
// come out of the damaged input, unchanged and in order: damage inside the
// data must cost only what follows it. With inOrder false they need only
// all be there (readers whose per-input decisions may depend on data after
// the damage, like an archive's licence file, may keep more).
func BeforeDamage(res *Result, before []*doc.Document, inOrder bool) []string {
	if len(before) <= 1 {
		return nil
	}
	need := before[:len(before)-1]
	if inOrder {
		for i, d := range need {
			if i >= len(res.Docs) {
				return []string{fmt.Sprintf("only %d of the %d records before the damage came out", len(res.Docs), len(need))}
			}
			if res.Docs[i].ID != d.ID || res.Docs[i].Text != d.Text {
				return []string{fmt.Sprintf("record %d (%s) before the damage changed or went missing", i, d.ID)}
			}
		}
		return nil
	}
	got := map[string]string{}
	for _, d := range res.Docs {
		got[d.ID] = d.Text
	}
	for _, d := range need {
		if text, ok := got[d.ID]; !ok || text != d.Text {
			return []string{fmt.Sprintf("record %s before the damage changed or went missing", d.ID)}
		}
	}
	return nil
}

// Check holds one mutant's result to the rules; it returns what broke
// them, empty when the case passed. want is the intact input's documents.
func Check(res *Result, path string, want []*doc.Document, order Order, lim Limits) []string {
	var bad []string
	base := filepath.Base(path)
	if res.Panic != nil {
		bad = append(bad, fmt.Sprintf("panic: %v", res.Panic))
	}
	if res.Hung {
		bad = append(bad, fmt.Sprintf("no end within %s", lim.Time))
		return bad
	}
	if res.PeakHeap > lim.Heap {
		bad = append(bad, fmt.Sprintf("heap grew %d MiB (bound %d MiB)", res.PeakHeap>>20, lim.Heap>>20))
	}
	for _, e := range res.Skipped {
		if !strings.Contains(e.Error(), base) {
			bad = append(bad, fmt.Sprintf("record error does not name the file: %v", e))
		} else if e.Record == "" && e.Offset < 0 {
			bad = append(bad, fmt.Sprintf("record error names no record or offset: %v", e))
		}
		if len(bad) > 3 {
			break
		}
	}
	if f := res.Final; f != nil && !errors.Is(f, io.EOF) {
		msg := f.Error()
		if !strings.Contains(msg, base) {
			bad = append(bad, fmt.Sprintf("error does not name the file: %v", f))
		} else if !located.MatchString(strings.ReplaceAll(msg, path, "")) {
			bad = append(bad, fmt.Sprintf("error does not say where: %v", f))
		}
	}
	if order == Unchanged {
		byID := map[string]string{}
		for _, d := range want {
			byID[d.ID] = d.Text
		}
		for _, d := range res.Docs[:max(len(res.Docs)-1, 0)] {
			if text, ok := byID[d.ID]; ok && text != d.Text {
				bad = append(bad, fmt.Sprintf("document %s changed", d.ID))
				break
			}
		}
	}
	if order == Prefix {
		n := len(res.Docs) - 1
		if n > len(want) {
			bad = append(bad, fmt.Sprintf("%d documents from a cut input of %d", len(res.Docs), len(want)))
			n = len(want)
		}
		for i := 0; i < n; i++ {
			if res.Docs[i].ID != want[i].ID || res.Docs[i].Text != want[i].Text {
				bad = append(bad, fmt.Sprintf("document %d (%s) before the damage changed", i, want[i].ID))
				break
			}
		}
	}
	return bad
}
