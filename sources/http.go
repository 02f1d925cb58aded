package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Fetcher streams http(s) inputs. Common Crawl publishes its paths as URLs
// and a multi-gigabyte download is bound to hiccup, so a Fetcher retries a
// failed request a bounded number of times with exponential backoff and, when
// a body breaks off mid-stream, resumes with a Range request from the byte
// reached. The zero value is not usable; start from DefaultFetcher.
type Fetcher struct {
	// Client does the requests; its Timeout, if any, bounds a whole body, so
	// the default client sets none and relies on the dial/header timeouts.
	Client *http.Client
	// Attempts is how many tries one request gets in all (>= 1).
	Attempts int
	// Backoff is the wait before the second try; it doubles on each further
	// try up to MaxBackoff.
	Backoff, MaxBackoff time.Duration
}

// DefaultFetcher returns the settings Open* use for URLs: 5 tries, waiting
// 0.5 s, 1 s, 2 s, 4 s between them.
func DefaultFetcher() *Fetcher {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = 60 * time.Second
	// Ask for identity so that Content-Length and Range offsets refer to the
	// bytes we count; .gz files are decompressed by NewStream, not by HTTP.
	tr.DisableCompression = true
	return &Fetcher{
		Client:     &http.Client{Transport: tr},
		Attempts:   5,
		Backoff:    500 * time.Millisecond,
		MaxBackoff: 30 * time.Second,
	}
}

// HTTPError is a response status that ended a fetch.
type HTTPError struct {
	URL    string
	Status int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// retryable reports whether another try may help: network errors and server
// side or throttling statuses do; a 404 or 403 will not change.
func retryable(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status >= 500 || he.Status == http.StatusTooManyRequests || he.Status == http.StatusRequestTimeout
	}
	return !errors.Is(err, context.Canceled)
}

// Get opens url for streaming from byte start (0 for the whole body) up to
// end (exclusive; < 0 for the end of the resource). The returned reader
// resumes transparently after a broken body; once all tries are spent its
// Read returns an error naming the URL, the byte offset and the last cause.
func (f *Fetcher) Get(url string, start, end int64) (io.ReadCloser, error) {
	r := &urlReader{f: f, url: url, off: start, start: start, end: end}
	if err := r.connect(); err != nil {
		return nil, err
	}
	return r, nil
}

// urlReader is one resumable download.
type urlReader struct {
	f          *Fetcher
	url        string
	start, end int64 // requested range; end < 0 means to the end
	off        int64 // absolute offset of the next byte to deliver
	body       io.ReadCloser
	etag       string
	failures   int // consecutive failed tries since the last good read
}

// connect issues a request from r.off, retrying per the Fetcher's policy.
func (r *urlReader) connect() error {
	var last error
	for try := 1; try <= r.f.Attempts; try++ {
		if try > 1 {
			time.Sleep(r.f.wait(try - 1))
		}
		err := r.request()
		if err == nil {
			return nil
		}
		last = err
		if !retryable(err) {
			return err
		}
	}
	return fmt.Errorf("GET %s: giving up after %d tries at byte %d: %w", r.url, r.f.Attempts, r.off, last)
}

func (f *Fetcher) wait(n int) time.Duration {
	d := f.Backoff << (n - 1)
	if d > f.MaxBackoff || d <= 0 {
		d = f.MaxBackoff
	}
	return d
}

func (r *urlReader) request() error {
	req, err := http.NewRequest(http.MethodGet, r.url, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", r.url, err)
	}
	ranged := r.off > 0 || r.end >= 0
	if ranged {
		rng := "bytes=" + strconv.FormatInt(r.off, 10) + "-"
		if r.end >= 0 {
			rng += strconv.FormatInt(r.end-1, 10)
		}
		req.Header.Set("Range", rng)
		if r.etag != "" {
			// If the file changed between tries, get it whole rather than
			// splice two versions together.
			req.Header.Set("If-Range", r.etag)
		}
	}
	resp, err := r.f.Client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", r.url, err)
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent && ranged:
		// Resumed where we asked.
	case resp.StatusCode == http.StatusOK:
		// The server ignores Range (or the file changed): skip to our
		// offset, which costs bandwidth but keeps the bytes right.
		if r.off > 0 {
			if r.etag != "" && resp.Header.Get("ETag") != r.etag {
				resp.Body.Close()
				return fmt.Errorf("GET %s: resource changed while downloading (ETag %s, was %s)", r.url, resp.Header.Get("ETag"), r.etag)
			}
			if _, err := io.CopyN(io.Discard, resp.Body, r.off); err != nil {
				resp.Body.Close()
				return fmt.Errorf("GET %s: skipping to byte %d on a server without Range support: %w", r.url, r.off, err)
			}
		}
		if r.end >= 0 {
			resp.Body = struct {
				io.Reader
				io.Closer
			}{io.LimitReader(resp.Body, r.end-r.off), resp.Body}
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && r.end < 0 && r.off > 0:
		// Nothing left past off: the previous body ended exactly at EOF.
		resp.Body.Close()
		r.body = http.NoBody
		return nil
	default:
		resp.Body.Close()
		return &HTTPError{URL: r.url, Status: resp.StatusCode}
	}
	if r.etag == "" {
		r.etag = resp.Header.Get("ETag")
	}
	r.body = resp.Body
	return nil
}

func (r *urlReader) Read(p []byte) (int, error) {
	for {
		if r.body == nil {
			return 0, fmt.Errorf("GET %s: read after close", r.url)
		}
		n, err := r.body.Read(p)
		r.off += int64(n)
		if n > 0 {
			r.failures = 0
		}
		if err == nil || (err == io.EOF && r.complete()) {
			return n, err
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		// The body broke: resume from r.off with a fresh request.
		r.body.Close()
		r.failures++
		if r.failures >= r.f.Attempts {
			r.body = http.NoBody
			return n, fmt.Errorf("GET %s: body broke at byte %d, giving up after %d tries: %w", r.url, r.off, r.f.Attempts, err)
		}
		time.Sleep(r.f.wait(r.failures))
		if cerr := r.connect(); cerr != nil {
			r.body = http.NoBody
			return n, fmt.Errorf("GET %s: resuming at byte %d after %v: %w", r.url, r.off, err, cerr)
		}
		if n > 0 {
			return n, nil
		}
	}
}

// complete reports whether an EOF is the real end. A body cut short with a
// clean EOF (possible when the server closes without Content-Length) is only
// caught when we know the range end.
func (r *urlReader) complete() bool {
	return r.end < 0 || r.off >= r.end
}

func (r *urlReader) Close() error {
	if r.body == nil {
		return nil
	}
	err := r.body.Close()
	r.body = nil
	return err
}

// OpenRaw opens a local file or a URL without decompressing it, from byte
// start up to end (exclusive; < 0 for the end). Readers that must see the
// container themselves, like a WARC reader that notes each gzip member's
// offset, use it.
func OpenRaw(path string, start, end int64) (io.ReadCloser, error) {
	if IsURL(path) {
		return DefaultFetcher().Get(path, start, end)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory, expected a file", path)
	}
	if start == 0 && end < 0 {
		return f, nil
	}
	if end < 0 {
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		end = st.Size()
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, start, end-start), f}, nil
}

// OpenAny opens a local file or an http(s) URL and decompresses it by its
// magic bytes, like Open.
func OpenAny(path string) (*Stream, error) {
	return OpenUnit(Unit{Input: Input{Path: path, Size: -1}, End: -1})
}

// OpenUnit opens one unit's bytes, file or URL, whole or its byte range, and
// decompresses them by their magic bytes.
func OpenUnit(u Unit) (*Stream, error) {
	path := u.Input.Path
	if !IsURL(path) && u.Start == 0 && u.End < 0 {
		return openFile(path, u.Memory)
	}
	rc, err := OpenRaw(path, u.Start, u.End)
	if err != nil {
		return nil, err
	}
	name := path
	if u.Start != 0 || u.End >= 0 {
		name = fmt.Sprintf("%s[%d:%d]", path, u.Start, u.End)
	}
	s, err := NewStream(name, rc)
	if err != nil {
		rc.Close()
		return nil, err
	}
	s.closers = append(s.closers, rc.Close)
	return s, nil
}

// BaseName is the last path element of a file path or URL (without query),
// used in document IDs and messages.
func BaseName(path string) string {
	if IsURL(path) {
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			path = path[:i]
		}
	}
	path = strings.TrimRight(path, "/")
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}
