// Package corpustext reads the text of the shared real corpus for the BPE
// tests and benchmarks: book files as they are, Wikipedia XML dumps
// decompressed (the wikitext is most of their bytes), and the bodies, titles
// and self-texts of Reddit NDJSON dumps. Text is made valid UTF-8 (invalid
// bytes become U+FFFD) because the reference tokenizers take Unicode strings.
package corpustext

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/curate-dev/curate/sources"
)

// Doc is one text with a name for messages.
type Doc struct {
	Name string
	Text string
}

// Books returns every book file of root/books, CRLF normalised to LF when
// lf is set.
func Books(root string, lf bool) ([]Doc, error) {
	files, err := filepath.Glob(filepath.Join(root, "books", "*.txt"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Doc
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		s := strings.ToValidUTF8(string(b), "\uFFFD")
		if lf {
			s = strings.ReplaceAll(s, "\r\n", "\n")
		}
		out = append(out, Doc{Name: "books/" + filepath.Base(f), Text: s})
	}
	return out, nil
}

// Wikipedia returns each dump of root/wikipedia decompressed, split into
// documents of about 1 MiB at line boundaries (UTF-16 input is decoded).
func Wikipedia(root string) ([]Doc, error) { return WikipediaPrefix(root, 0) }

// WikipediaPrefix is Wikipedia reading at most limit decompressed bytes of
// each dump (0: all), cut at the last line end before it, so bounded tests
// do not pay for decompressing whole dumps.
func WikipediaPrefix(root string, limit int64) ([]Doc, error) {
	files, err := filepath.Glob(filepath.Join(root, "wikipedia", "*wiki*.xml*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Doc
	for _, f := range files {
		if strings.Contains(f, "index") {
			continue
		}
		st, err := sources.Open(f)
		if err != nil {
			return nil, err
		}
		var r io.Reader = st
		if limit > 0 {
			r = io.LimitReader(st, limit&^1) // even: UTF-16 stays whole
		}
		b, err := io.ReadAll(r)
		st.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if limit > 0 && int64(len(b)) == limit&^1 {
			if i := bytes.LastIndexByte(b, '\n'); i > 0 {
				b = b[:i+1]
			}
		}
		s := string(b)
		if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE {
			u := make([]uint16, (len(b)-2)/2)
			for i := range u {
				u[i] = uint16(b[2+2*i]) | uint16(b[3+2*i])<<8
			}
			s = string(utf16.Decode(u))
		}
		s = strings.ToValidUTF8(s, "\uFFFD")
		for i := 0; len(s) > 0; i++ {
			n := min(len(s), 1<<20)
			if j := strings.IndexByte(s[n:], '\n'); j >= 0 && n < len(s) {
				n += j + 1
			} else {
				n = len(s)
			}
			out = append(out, Doc{Name: fmt.Sprintf("wikipedia/%s#%d", filepath.Base(f), i), Text: s[:n]})
			s = s[n:]
		}
	}
	return out, nil
}

// Reddit returns the body, title and selftext fields of every record of
// root/reddit (zstd NDJSON dumps and the plain JSON-lines test file).
func Reddit(root string) ([]Doc, error) {
	files, err := filepath.Glob(filepath.Join(root, "reddit", "*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Doc
	for _, f := range files {
		st, err := sources.Open(f)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(st)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		line := 0
		for sc.Scan() {
			line++
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) != nil {
				continue // the test file is not all NDJSON; only texts matter here
			}
			for _, k := range []string{"title", "selftext", "body"} {
				if v, ok := rec[k].(string); ok && v != "" {
					out = append(out, Doc{Name: fmt.Sprintf("reddit/%s:%d/%s", filepath.Base(f), line, k), Text: strings.ToValidUTF8(v, "\uFFFD")})
				}
			}
		}
		err = sc.Err()
		st.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return out, nil
}

// All returns books, Wikipedia and Reddit text.
func All(root string) ([]Doc, error) { return AllPrefix(root, 0) }

// AllPrefix is All with at most wikiLimit bytes of each Wikipedia dump
// (0: all).
func AllPrefix(root string, wikiLimit int64) ([]Doc, error) {
	var out []Doc
	wiki := func(r string) ([]Doc, error) { return WikipediaPrefix(r, wikiLimit) }
	for _, f := range []func(string) ([]Doc, error){func(r string) ([]Doc, error) { return Books(r, false) }, wiki, Reddit} {
		d, err := f(root)
		if err != nil {
			return nil, err
		}
		out = append(out, d...)
	}
	return out, nil
}
