package reddit

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

// WebTextOptions configure the outbound-link list (GPT-2's WebText took the
// links of Reddit submissions with at least 3 karma).
type WebTextOptions struct {
	// MinScore is the karma a submission needs for its link to count.
	MinScore int
	// Dedup writes each URL once. It keeps an 8-byte hash per distinct URL
	// in memory (about 1 GB per 100 million URLs).
	Dedup bool
	// OnRecordError is called for each malformed line; nil means ignore.
	OnRecordError func(*doc.RecordError)
}

// WebTextStats counts what WebTextURLs read and wrote.
type WebTextStats struct {
	Submissions int64 // submission records read
	Written     int64 // URLs written
	LowScore    int64 // links below MinScore
	NotOutbound int64 // self posts, Reddit-hosted media, non-http links
	Duplicates  int64 // repeated URLs (with Dedup)
	BadRecords  int64 // malformed lines
}

// mediaExt are link targets that hold no text (OpenWebText drops them too).
var mediaExt = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".gifv": true,
	".webp": true, ".mp4": true, ".webm": true, ".mp3": true, ".svg": true,
	".bmp": true, ".tif": true, ".tiff": true, ".avi": true, ".mov": true,
}

var redditHosts = []string{"reddit.com", "redd.it", "redditmedia.com", "reddituploads.com", "redditstatic.com"}

// outboundURL returns the normalised outbound link of a submission, or "".
func outboundURL(r *record) string {
	if !r.submission || r.isSelf || strings.HasPrefix(r.domain, "self.") {
		return ""
	}
	raw := strings.TrimSpace(html.UnescapeString(r.url))
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range redditHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return ""
		}
	}
	if mediaExt[strings.ToLower(path.Ext(u.Path))] {
		return ""
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return ""
	}
	return raw
}

// WebTextURLs streams the outbound URLs of the submissions in files (RS_
// dumps or any NDJSON of submissions, compressed or not) with score ≥
// opts.MinScore to w, one URL a line, in input order. Comments are skipped.
// The list is what the Common Crawl source takes as an allow-list.
func WebTextURLs(files []string, w io.Writer, opts WebTextOptions) (WebTextStats, error) {
	var st WebTextStats
	bw := bufio.NewWriterSize(w, 256<<10)
	var seen map[uint64]struct{}
	if opts.Dedup {
		seen = map[uint64]struct{}{}
	}
	var p fastjson.Parser
	for _, file := range files {
		in, err := sources.Open(file)
		if err != nil {
			return st, err
		}
		lr := newLineReader(in)
		for {
			line, n, off, err := lr.next()
			if err == io.EOF {
				break
			}
			if err == errLineTooLong {
				st.BadRecords++
				if opts.OnRecordError != nil {
					opts.OnRecordError(&doc.RecordError{File: file, Record: "line " + strconv.Itoa(n), Offset: off, Err: err})
				}
				continue
			}
			if err != nil {
				in.Close()
				bw.Flush()
				return st, fmt.Errorf("%w (after line %d)", err, n)
			}
			// Comments carry no outbound link: skip whole-looking objects
			// without a "url" key unparsed (RC files are most of the
			// bytes); anything else is parsed, so broken lines are reported.
			line = bytes.TrimSpace(line)
			if len(line) == 0 {
				continue
			}
			if line[0] == '{' && line[len(line)-1] == '}' && !bytes.Contains(line, []byte(`"url"`)) {
				continue
			}
			v, err := p.ParseBytes(line)
			var rec *record
			if err == nil {
				rec, err = decodeRecord(v)
			} else {
				err = fmt.Errorf("malformed JSON: %w", err)
			}
			if err != nil {
				st.BadRecords++
				if opts.OnRecordError != nil {
					opts.OnRecordError(&doc.RecordError{File: file, Record: "line " + strconv.Itoa(n), Offset: off, Err: err})
				}
				continue
			}
			if !rec.submission {
				continue
			}
			st.Submissions++
			u := outboundURL(rec)
			switch {
			case u == "":
				st.NotOutbound++
				continue
			case rec.score < int64(opts.MinScore):
				st.LowScore++
				continue
			}
			if seen != nil {
				h := fnv.New64a()
				h.Write([]byte(u))
				k := h.Sum64()
				if _, dup := seen[k]; dup {
					st.Duplicates++
					continue
				}
				seen[k] = struct{}{}
			}
			bw.WriteString(u)
			bw.WriteByte('\n')
			st.Written++
		}
		in.Close()
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("writing URL list: %w", err)
	}
	return st, nil
}
