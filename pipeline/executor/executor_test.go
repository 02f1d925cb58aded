package executor

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

func TestSingle(t *testing.T) {
	var mu sync.Mutex
	var ran []int
	run := func(_ context.Context, i int) error {
		mu.Lock()
		ran = append(ran, i)
		mu.Unlock()
		return nil
	}
	tests := []struct {
		name    string
		sel     Single
		ph      Phase
		wantErr string // "" nil, "deferred", "incomplete", "range"
		wantRan []int
	}{
		{"earlier phase complete", Single{"b", 0}, Phase{"a", 3, nil}, "", nil},
		{"earlier phase pending", Single{"b", 0}, Phase{"a", 3, []int{2}}, "incomplete", nil},
		{"pending task runs", Single{"a", 2}, Phase{"a", 3, []int{0, 2}}, "deferred", []int{2}},
		{"complete task does not", Single{"a", 1}, Phase{"a", 3, []int{0, 2}}, "deferred", nil},
		{"out of range", Single{"a", 3}, Phase{"a", 3, []int{0}}, "range", nil},
		{"plan only", Single{"a", PlanOnly}, Phase{"a", 3, []int{0}}, "deferred", nil},
		{"empty phase", Single{"a", 0}, Phase{"a", 0, nil}, "deferred", nil},
		{"finalize passes complete phases", Single{Finalize, 0}, Phase{"a", 3, nil}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = nil
			err := tt.sel.Run(context.Background(), tt.ph, run)
			var inc *IncompleteError
			_, deferred := AsDeferred(err)
			switch {
			case tt.wantErr == "" && err != nil,
				tt.wantErr == "deferred" && !deferred,
				tt.wantErr == "incomplete" && !errors.As(err, &inc),
				tt.wantErr == "range" && (err == nil || deferred):
				t.Fatalf("got %v, want %s", err, tt.wantErr)
			}
			if !slices.Equal(ran, tt.wantRan) {
				t.Fatalf("ran %v, want %v", ran, tt.wantRan)
			}
		})
	}
	if !(Single{"a", 0}).Shared() || (Single{Finalize, 0}).Shared() {
		t.Fatal("a task runs beside others, finalize alone")
	}
}

func TestLocalRunsPendingAndStopsAtFirstError(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]bool{}
	err := Local{Workers: 2}.Run(context.Background(), Phase{"a", 5, []int{0, 1, 3}}, func(_ context.Context, i int) error {
		mu.Lock()
		seen[i] = true
		mu.Unlock()
		return nil
	})
	if err != nil || len(seen) != 3 || !seen[3] || seen[2] {
		t.Fatalf("err %v, ran %v", err, seen)
	}
	boom := errors.New("boom")
	err = Local{Workers: 1}.Run(context.Background(), Phase{"a", 3, []int{0, 1, 2}}, func(ctx context.Context, i int) error {
		if i == 0 {
			return boom
		}
		return ctx.Err()
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the first task's error", err)
	}
}
