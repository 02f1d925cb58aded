package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/curate-dev/curate/sources"
)

// prepareOutput makes the output directory, takes its lock and marks the
// run as in progress by removing the previous manifest (a reader that
// finds no manifest.json, or finds LockFile, knows the directory is not a
// finished run). An existing file where the directory should be is a
// config mistake, reported at the output key.
func prepareOutput(cfg *Config, out string, fromFlag, shared bool, log *slog.Logger) (*outputLock, error) {
	if st, err := os.Stat(out); err == nil && !st.IsDir() {
		msg := fmt.Sprintf("output %s exists and is not a directory", out)
		if fromFlag {
			return nil, &ConfigError{File: "--output", Msg: msg}
		}
		return nil, cfg.errAt(msg, "output")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	take := lockOutput
	if shared {
		take = lockOutputShared
	}
	lock, err := take(out)
	if err != nil {
		return nil, err
	}
	if lock.stale != nil {
		log.Warn("a previous run on this output was interrupted; resuming it",
			"pid", lock.stale.PID, "host", lock.stale.Host, "started", lock.stale.Started)
	}
	if shared {
		// One task of many: it removes the manifest only if it runs (a
		// task already complete leaves a finalized output final).
		return lock, nil
	}
	if err := os.Remove(filepath.Join(out, "manifest.json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		lock.release()
		return nil, fmt.Errorf("output directory: %w", err)
	}
	return lock, nil
}

// inputStamp is the cheap on-disk identity of an input: size and
// modification time (for a directory, that of the directory itself, as
// the task key held before). URLs have none.
func inputStamp(in sources.Input) string {
	if sources.IsURL(in.Path) {
		return ""
	}
	st, err := os.Stat(in.Path)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d:%d", st.Size(), st.ModTime().UnixNano())
}

// outputMTimes reads the modification times of freshly written outputs.
func outputMTimes(out string, outputs []OutputFile) []int64 {
	ts := make([]int64, len(outputs))
	for i, o := range outputs {
		if st, err := os.Stat(filepath.Join(out, o.Path)); err == nil {
			ts[i] = st.ModTime().UnixNano()
		}
	}
	return ts
}

// outputsIntact checks a finished task's outputs against its marker: the
// size always; then, when the modification time is the one recorded, the
// file is taken as written (anything that writes through the file system
// moves the mtime, so a flipped byte is caught here at the cost of one
// stat). When the mtime moved — an edit, a copy without -p, a restore —
// the file is hashed in full and compared with the marker's SHA-256, so a
// touched but unchanged part is not redone and a changed one is.
func outputsIntact(out string, m *Marker) bool {
	for i, o := range m.Outputs {
		path := filepath.Join(out, o.Path)
		st, err := os.Stat(path)
		if err != nil || st.Size() != o.Bytes {
			return false
		}
		if i < len(m.OutputMTimes) && m.OutputMTimes[i] == st.ModTime().UnixNano() {
			continue
		}
		if o.SHA256 == "" {
			continue
		}
		sum, _, err := fileSHA256(path)
		if err != nil || sum != o.SHA256 {
			return false
		}
	}
	return true
}

// withoutOutput drops inputs that lie inside the output directory: a glob
// such as data/** that also covers the output would otherwise ingest the
// previous run's own files. It returns the kept inputs and the dropped
// paths.
func withoutOutput(inputs []sources.Input, out string) (kept []sources.Input, dropped []string) {
	if out == "" {
		return inputs, nil
	}
	roots := []string{absClean(out)}
	if real, err := filepath.EvalSymlinks(out); err == nil {
		roots = append(roots, absClean(real))
	}
	for _, in := range inputs {
		if !sources.IsURL(in.Path) && under(absClean(in.Path), roots) {
			dropped = append(dropped, in.Path)
			continue
		}
		kept = append(kept, in)
	}
	return kept, dropped
}

func absClean(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

func under(p string, roots []string) bool {
	for _, r := range roots {
		if p == r || strings.HasPrefix(p, r+string(filepath.Separator)) {
			return true
		}
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		real = absClean(real)
		for _, r := range roots {
			if real == r || strings.HasPrefix(real, r+string(filepath.Separator)) {
				return true
			}
		}
	}
	return false
}

// dropOutputInputs removes a source's inputs that lie in the run's own
// output directory, saying so: they are curate's output, not the user's
// input, and a rerun must not feed on them.
func (g *ingest) dropOutputInputs(sc *SourceConfig, inputs []sources.Input) []sources.Input {
	out := g.out
	if out == "" {
		out = g.cfg.Output
	}
	kept, dropped := withoutOutput(inputs, out)
	if len(dropped) > 0 && g.log != nil {
		g.log.Warn("inputs inside the output directory are not read", "source", sc.Name, "output", out, "inputs", len(dropped), "first", dropped[0])
	}
	return kept
}
