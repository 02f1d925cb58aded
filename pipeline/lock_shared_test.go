package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The tasks of a scheduler's run hold the output's lock together; a local
// run cannot take it from them, nor they from a local run.
func TestSharedLockBesideTasksNotLocalRun(t *testing.T) {
	out := t.TempDir()
	a, err := lockOutputShared(out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := lockOutputShared(out)
	if err != nil {
		t.Fatalf("second task: %v", err)
	}
	var locked *LockedError
	if _, err := lockOutput(out); !errors.As(err, &locked) {
		t.Fatalf("a local run beside tasks: %v", err)
	}
	a.release()
	if _, err := os.Stat(filepath.Join(out, LockFile)); err != nil {
		t.Fatalf("a task removed the lock another task holds: %v", err)
	}
	b.release()
	ex, err := lockOutput(out)
	if err != nil {
		t.Fatalf("local run after the tasks: %v", err)
	}
	if _, err := lockOutputShared(out); !errors.As(err, &locked) {
		t.Fatalf("a task beside a local run: %v", err)
	}
	ex.release()
}
