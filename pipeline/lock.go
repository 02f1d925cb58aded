package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockFile is the output directory's lock, held by the run writing it. It
// also says "a run is in progress or was interrupted": while it exists the
// directory's manifest.json is not a final answer (a run removes the
// previous manifest before it writes anything else, and the lock goes only
// after the new manifest is in place).
const LockFile = ".curate.lock"

// lockInfo is what the lock file holds, for the message a second run shows.
type lockInfo struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
}

// LockedError is returned when another run holds the output directory.
type LockedError struct {
	Dir  string
	Info lockInfo
}

func (e *LockedError) Error() string {
	who := "another curate run"
	if e.Info.PID > 0 {
		who = fmt.Sprintf("another curate run (pid %d on %s, started %s)", e.Info.PID, e.Info.Host, e.Info.Started.Format(time.RFC3339))
	}
	return fmt.Sprintf("output directory %s is in use by %s; wait for it to finish or choose another --output", e.Dir, who)
}

// outputLock is a held lock; release removes it.
type outputLock struct {
	f     *os.File
	path  string
	stale *lockInfo // the interrupted run whose lock this one took over
	// shared: one of a scheduler's tasks; the file stays on release.
	shared bool
}

// lockOutput takes the output directory's lock: an exclusive flock on
// LockFile, which the kernel drops when its process dies, so a lock left
// by a killed run (a stale lock) is taken over, never trusted. The file
// holds the holder's pid and host so the refusal can say who has it.
func lockOutput(dir string) (*outputLock, error) { return takeLock(dir, false) }

// lockOutputShared takes the lock shared, for one of many tasks of a run
// spread over a scheduler (curate task): tasks run beside each other, but
// not beside a local run, which needs the lock alone. A shared holder
// neither writes nor removes the file.
func lockOutputShared(dir string) (*outputLock, error) { return takeLock(dir, true) }

func takeLock(dir string, shared bool) (*outputLock, error) {
	path := filepath.Join(dir, LockFile)
	how := syscall.LOCK_EX
	if shared {
		how = syscall.LOCK_SH
	}
	for attempt := 0; attempt < 5; attempt++ {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("locking output directory: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
			var held lockInfo
			data, _ := os.ReadFile(path)
			json.Unmarshal(data, &held)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, &LockedError{Dir: dir, Info: held}
			}
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		// The holder before us may have removed the file between our open
		// and our flock: then we locked an orphan and must start again.
		var fst, pst syscall.Stat_t
		if syscall.Fstat(int(f.Fd()), &fst) != nil || syscall.Stat(path, &pst) != nil || fst.Ino != pst.Ino || fst.Dev != pst.Dev {
			f.Close()
			continue
		}
		l := &outputLock{f: f, path: path, shared: shared}
		if shared {
			return l, nil
		}
		if data, _ := os.ReadFile(path); len(data) > 0 {
			var old lockInfo
			if json.Unmarshal(data, &old) == nil {
				l.stale = &old
			}
		}
		host, _ := os.Hostname()
		body, _ := json.Marshal(lockInfo{PID: os.Getpid(), Host: host, Started: time.Now().UTC().Truncate(time.Second)})
		if err := f.Truncate(0); err != nil {
			l.release()
			return nil, fmt.Errorf("writing lock %s: %w", path, err)
		}
		if _, err := f.WriteAt(append(body, '\n'), 0); err != nil {
			l.release()
			return nil, fmt.Errorf("writing lock %s: %w", path, err)
		}
		return l, nil
	}
	return nil, fmt.Errorf("output directory %s: could not take the lock %s", dir, path)
}

// release removes the lock file, then drops the flock (in that order, so a
// waiting run never locks a file about to vanish unnoticed: it rechecks).
func (l *outputLock) release() {
	if l == nil || l.f == nil {
		return
	}
	if !l.shared {
		os.Remove(l.path)
	}
	l.f.Close()
	l.f = nil
}
