package torture

import (
	"testing"

	"github.com/curate-dev/curate/pipeline/doc"
)

func TestBeforeDamageCanFail(t *testing.T) {
	d := func(id, text string) *doc.Document { return &doc.Document{ID: id, Text: text} }
	before := []*doc.Document{d("1", "a"), d("2", "b"), d("3", "cut")}
	cases := []struct {
		name    string
		got     []*doc.Document
		inOrder bool
		fail    bool
	}{
		{"kept, then more", []*doc.Document{d("1", "a"), d("2", "b"), d("3", "whole"), d("4", "x")}, true, false},
		{"one lost", []*doc.Document{d("1", "a")}, true, true},
		{"one changed", []*doc.Document{d("1", "a"), d("2", "B")}, true, true},
		{"reordered, in order wanted", []*doc.Document{d("2", "b"), d("1", "a")}, true, true},
		{"reordered, any order", []*doc.Document{d("2", "b"), d("0", "new"), d("1", "a")}, false, false},
		{"missing, any order", []*doc.Document{d("2", "b")}, false, true},
	}
	for _, c := range cases {
		if got := len(BeforeDamage(&Result{Docs: c.got}, before, c.inOrder)) > 0; got != c.fail {
			t.Errorf("%s: failed=%v, want %v", c.name, got, c.fail)
		}
	}
}
