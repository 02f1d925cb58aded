package sources

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testFetcher() *Fetcher {
	f := DefaultFetcher()
	f.Backoff = time.Millisecond
	f.MaxBackoff = 5 * time.Millisecond
	f.Attempts = 3
	return f
}

// payload is deterministic, incompressible-ish data big enough to be cut.
func payload(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func TestFetcherServes(t *testing.T) {
	data := payload(300_000)
	var hits, breaks atomic.Int32
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		start     int64
		end       int64
		want      []byte
		wantErr   string
		wantHits  int32
		atMostHit bool
	}{
		{
			name: "plain",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(data))
			},
			end:      -1,
			want:     data,
			wantHits: 1,
		},
		{
			name: "range",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(data))
			},
			start:    1000,
			end:      5000,
			want:     data[1000:5000],
			wantHits: 1,
		},
		{
			name: "retry after 503",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if hits.Load() <= 2 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(data))
			},
			end:      -1,
			want:     data,
			wantHits: 3,
		},
		{
			name: "resume by Range after broken body",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Range") == "" {
					if breaks.Add(1) > 1 {
						t.Errorf("second request without Range")
					}
					// Promise everything, send a third, then hang up.
					w.Header().Set("Content-Length", "300000")
					w.Header().Set("Accept-Ranges", "bytes")
					w.WriteHeader(http.StatusOK)
					w.Write(data[:100_000])
					panic(http.ErrAbortHandler)
				}
				// Resumed past the start (how much of the 100,000 bytes got
				// through before the hang-up is up to the network stack).
				if got := r.Header.Get("Range"); !strings.HasPrefix(got, "bytes=") || got == "bytes=0-" {
					t.Errorf("resumed with Range %q, want bytes=N- with N > 0", got)
				}
				http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(data))
			},
			end:      -1,
			want:     data,
			wantHits: 2,
		},
		{
			name: "server without Range support",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "300000")
				w.WriteHeader(http.StatusOK)
				if breaks.Add(1) <= 1 {
					w.Write(data[:50_000])
					panic(http.ErrAbortHandler)
				}
				w.Write(data)
			},
			end:      -1,
			want:     data,
			wantHits: 2,
		},
		{
			name:     "404 is not retried",
			handler:  func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			end:      -1,
			wantErr:  "HTTP 404",
			wantHits: 1,
		},
		{
			name:     "gives up after the last try",
			handler:  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) },
			end:      -1,
			wantErr:  "giving up after 3 tries",
			wantHits: 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			breaks.Store(0)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				tc.handler(w, r)
			}))
			defer srv.Close()
			rc, err := testFetcher().Get(srv.URL+"/f", tc.start, tc.end)
			var got []byte
			if err == nil {
				got, err = io.ReadAll(rc)
				rc.Close()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), srv.URL) {
					t.Fatalf("err = %v, want one naming the URL and %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if !bytes.Equal(got, tc.want) {
				t.Fatalf("got %d bytes, want %d (equal prefix: %v)", len(got), len(tc.want), bytes.HasPrefix(tc.want, got))
			}
			if hits.Load() != tc.wantHits {
				t.Errorf("server saw %d requests, want %d", hits.Load(), tc.wantHits)
			}
		})
	}
}

func TestFetcherBodyKeepsBreaking(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10000")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // headers, then never a byte of body
	}))
	defer srv.Close()
	rc, err := testFetcher().Get(srv.URL+"/x.warc.gz", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = io.ReadAll(rc)
	if err == nil || !strings.Contains(err.Error(), "x.warc.gz") || !strings.Contains(err.Error(), "byte 0") {
		t.Fatalf("err = %v, want a final error naming the URL and byte offset", err)
	}
}

func TestOpenAnySameBytesFromFileAndURL(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("curate reads the same bytes from disk and from http\n", 2000)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	path := filepath.Join(dir, "t.txt.gz")
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	for _, p := range []string{path, srv.URL + "/t.txt.gz"} {
		s, err := OpenAny(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(s)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != text || s.Compression != Gzip {
			t.Fatalf("%s: got %d bytes (%s), want %d gzip", p, len(got), s.Compression, len(text))
		}
	}
	// A byte range of a plain file through OpenUnit.
	plain := filepath.Join(dir, "p.txt")
	os.WriteFile(plain, []byte("0123456789"), 0o644)
	for _, p := range []string{plain, srv.URL + "/p.txt"} {
		s, err := OpenUnit(Unit{Input: Input{Path: p}, Start: 3, End: 7})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(s)
		s.Close()
		if string(got) != "3456" {
			t.Fatalf("%s range: got %q", p, got)
		}
	}
}

func TestExpandDirs(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "repos", "a"), 0o755)
	os.MkdirAll(filepath.Join(dir, "repos", "b"), 0o755)
	os.WriteFile(filepath.Join(dir, "repos", "c.tar.gz"), []byte("x"), 0o644)
	tests := []struct {
		name     string
		patterns []string
		want     []string
		wantErr  string
	}{
		{"directory named outright", []string{"repos/a"}, []string{"repos/a"}, ""},
		{"glob matches dirs and files", []string{"repos/*"}, []string{"repos/a", "repos/b", "repos/c.tar.gz"}, ""},
		{"dedup", []string{"repos/a", "repos/a/"}, []string{"repos/a"}, ""},
		{"url kept", []string{"https://example.org/x.tar.gz"}, []string{"https://example.org/x.tar.gz"}, ""},
		{"missing", []string{"repos/zzz"}, nil, "no such file"},
		{"glob matches nothing", []string{"nope/*"}, nil, "nothing matches"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExpandDirs(dir, tc.patterns)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var paths []string
			for _, in := range got {
				p := in.Path
				if !IsURL(p) {
					p, _ = filepath.Rel(dir, p)
					p = filepath.ToSlash(p)
				}
				paths = append(paths, p)
			}
			if strings.Join(paths, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, want %v", paths, tc.want)
			}
		})
	}
}
