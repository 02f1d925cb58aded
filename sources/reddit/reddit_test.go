package reddit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/curate-dev/curate/sources"
)

func mustNew(t testing.TB, o Options) *Source {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readAll reads every unit and returns documents, record errors and the
// final error, plus the summed drop counts.
func readAll(t testing.TB, s *Source, paths ...string) (docs []*doc.Document, recErrs []*doc.RecordError, final error, counts doc.Counts) {
	t.Helper()
	var ins []sources.Input
	for _, p := range paths {
		ins = append(ins, sources.Input{Path: p})
	}
	units, err := s.Units(ins)
	if err != nil {
		t.Fatal(err)
	}
	counts = doc.Counts{}
	for _, u := range units {
		r, err := s.Open(u)
		if err != nil {
			t.Fatal(err)
		}
		ds, skipped, err := doc.ReadAll(r)
		docs, recErrs = append(docs, ds...), append(recErrs, skipped...)
		if err != nil && final == nil {
			final = err
		}
		for k, v := range r.(interface{ Counts() doc.Counts }).Counts() {
			counts[k] += v
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return docs, recErrs, final, counts
}

func countLines(t testing.TB, path string) int {
	st, err := sources.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sc := bufio.NewScanner(st)
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		n++
	}
	if sc.Err() != nil {
		t.Fatal(sc.Err())
	}
	return n
}

// TestCorpusFiles reads the three corpus files (2006 comments with a 2 GiB
// zstd window, 2019 submissions, 2024-schema comments with _meta and float
// created_utc): every line is either a document or a counted drop, none is
// malformed, and a known record comes out with the right fields.
func TestCorpusFiles(t *testing.T) {
	dir := corpustest.Dir(t, "reddit")
	tests := []struct {
		file   string
		id     string
		text   string
		meta   map[string]string
		minDoc int
	}{
		{"RC_2006-01.zst", "t1_c2715", "early 2006 a probable date", map[string]string{
			"created": "2006-01-01T00:07:09Z", "subreddit": "reddit.com", "author": "jh99", "link_id": "t3_22569",
			"score": "0", "kind": "comment", "permalink": "/r/reddit.com/comments/22569/_/c2715/"}, 3000},
		{"RS_2019-10.zst", "t3_dbkqm2", "Escaping abuse.", map[string]string{
			"created": "2019-10-01T00:02:22Z", "subreddit": "AskWomen", "kind": "submission", "link_id": "t3_dbkqm2",
			"permalink": "/r/AskWomen/comments/dbkqm2/escaping_abuse/"}, 4000},
		{"test_comments.json", "t1_kod0bkd", "Absolutely stunning. Really love this, perfect finish IMO as well.", map[string]string{
			"created": "2024-02-01T00:00:00Z", "subreddit": "woodworking", "author": "DubsAli", "score": "2",
			"permalink": "/r/woodworking/comments/1afjd7n/a_full_maple_farmhouse_table_i_made/kod0bkd/"}, 20},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			lines := countLines(t, p)
			// Keep everything the filters can keep, so the known record shows.
			all := DefaultOptions()
			all.MinScore = -1 << 30
			all.KeepDeleted = true
			docs, recErrs, final, counts := readAll(t, mustNew(t, all), p)
			if final != nil || len(recErrs) > 0 {
				t.Fatalf("final %v, record errors %v", final, recErrs)
			}
			dropped := int64(0)
			for _, v := range counts {
				dropped += v
			}
			if int64(len(docs))+dropped != int64(lines) {
				t.Fatalf("%d documents + %d drops != %d lines", len(docs), dropped, lines)
			}
			if len(docs) < tc.minDoc {
				t.Fatalf("%d documents, want at least %d", len(docs), tc.minDoc)
			}
			var found *doc.Document
			for _, d := range docs {
				if d.ID == tc.id {
					found = d
				}
				if _, err := url.Parse(d.URL); err != nil || !strings.HasPrefix(d.URL, "https://www.reddit.com/r/") {
					t.Fatalf("%s: bad URL %q", d.ID, d.URL)
				}
				// RS_2019-10 holds the new editor's "&amp;#x200B;" spacers.
				if m := numericRef.FindString(d.Text); m != "" {
					t.Fatalf("%s: character reference %s left in %q", d.ID, m, d.Text)
				}
			}
			if found == nil {
				t.Fatalf("record %s not found", tc.id)
			}
			if found.Text != tc.text {
				t.Errorf("text %q, want %q", found.Text, tc.text)
			}
			for k, v := range tc.meta {
				if found.Meta[k] != v {
					t.Errorf("meta %s = %q, want %q", k, found.Meta[k], v)
				}
			}
			// Default filters drop low scores and deleted text.
			def, _, _, dc := readAll(t, mustNew(t, DefaultOptions()), p)
			for _, d := range def {
				if d.Text == "[removed]" || d.Text == "[deleted]" || strings.HasPrefix(d.Meta["score"], "-") {
					t.Fatalf("default filters kept %s: %q score %s", d.ID, d.Text, d.Meta["score"])
				}
			}
			t.Logf("%d lines; all kept: %d; default filters: %d kept, drops %v", lines, len(docs), len(def), dc)
		})
	}
}

func writeLines(t testing.TB, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFiltersAndQuirks runs one record at a time through the filters, with
// the field-type drift seen across Pushshift years.
func TestFiltersAndQuirks(t *testing.T) {
	tests := []struct {
		name string
		opts func(*Options)
		line string
		drop string // "" = kept
		meta map[string]string
	}{
		{"int created", nil, `{"id":"a1","body":"Hello there, friends.","score":5,"created_utc":1136074029,"author":"x","subreddit":"s","link_id":"t3_z","parent_id":"t3_z"}`, "", map[string]string{"created": "2006-01-01T00:07:09Z"}},
		{"float created", nil, `{"id":"a2","body":"Hello","score":5,"created_utc":1706745600.0,"link_id":"t3_z"}`, "", map[string]string{"created": "2024-02-01T00:00:00Z"}},
		{"string created and score", nil, `{"id":"a3","body":"Hello","score":"7","created_utc":"1262304000","link_id":"t3_z"}`, "", map[string]string{"created": "2010-01-01T00:00:00Z", "score": "7"}},
		{"edited timestamp", nil, `{"id":"a4","body":"Hello","score":5,"created_utc":1262304000,"edited":1262307600.5,"link_id":"t3_z"}`, "", map[string]string{"edited": "2010-01-01T01:00:00Z"}},
		{"edited false, _meta", nil, `{"_meta":{"retrieved_2nd_on":1706875209},"id":"a5","body":"Hello","score":5,"created_utc":1262304000,"edited":false,"link_id":"t3_z"}`, "", map[string]string{"edited": ""}},
		{"entities decoded", nil, `{"id":"a6","body":"Fish &amp; chips &gt; pizza","score":5,"created_utc":1262304000,"link_id":"t3_z"}`, "", nil},
		{"low score", nil, `{"id":"b1","body":"meh","score":2,"created_utc":1262304000,"link_id":"t3_z"}`, "score", nil},
		{"min score 0", func(o *Options) { o.MinScore = 0 }, `{"id":"b2","body":"meh","score":0,"created_utc":1262304000,"link_id":"t3_z"}`, "", nil},
		{"deleted body", nil, `{"id":"b3","body":"[deleted]","score":50,"created_utc":1262304000,"link_id":"t3_z"}`, "deleted", nil},
		{"removed selftext", nil, `{"id":"b4","title":"Escaping abuse.","selftext":"[removed]","score":50,"created_utc":1262304000,"is_self":true}`, "deleted", nil},
		{"deleted author keeps text", nil, `{"id":"b5","author":"[deleted]","body":"Still here","score":50,"created_utc":1262304000,"link_id":"t3_z"}`, "", nil},
		{"automoderator", nil, `{"id":"b6","author":"AutoModerator","body":"Your post was removed","score":50,"created_utc":1262304000,"link_id":"t3_z"}`, "bot", nil},
		{"listed bot", func(o *Options) { o.Bots = []string{"RemindMeBot"} }, `{"id":"b7","author":"remindmebot","body":"I will remind you","score":50,"created_utc":1262304000,"link_id":"t3_z"}`, "bot", nil},
		{"nsfw kept", nil, `{"id":"b8","title":"t","selftext":"x","over_18":true,"score":50,"created_utc":1262304000}`, "", map[string]string{"over_18": "true"}},
		{"nsfw dropped", func(o *Options) { o.NSFW = NSFWDrop }, `{"id":"b9","title":"t","selftext":"x","over_18":true,"score":50,"created_utc":1262304000}`, "nsfw", nil},
		{"too short", func(o *Options) { o.MinChars = 10 }, `{"id":"c1","body":"short","score":50,"created_utc":1262304000,"link_id":"t3_z"}`, "short", nil},
		{"link post title only", nil, `{"id":"c2","title":"A link","selftext":"","url":"https://example.org/a","is_self":false,"score":50,"created_utc":1262304000}`, "", map[string]string{"link_url": "https://example.org/a", "kind": "submission"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			if tc.opts != nil {
				tc.opts(&o)
			}
			p := filepath.Join(t.TempDir(), "in.ndjson")
			writeLines(t, p, tc.line)
			docs, recErrs, final, counts := readAll(t, mustNew(t, o), p)
			if final != nil || len(recErrs) > 0 {
				t.Fatalf("errors: %v %v", final, recErrs)
			}
			if tc.drop != "" {
				if len(docs) != 0 || counts["reddit."+tc.drop] != 1 {
					t.Fatalf("want drop %s, got docs %d counts %v", tc.drop, len(docs), counts)
				}
				return
			}
			if len(docs) != 1 {
				t.Fatalf("want the record kept, counts %v", counts)
			}
			for k, v := range tc.meta {
				if docs[0].Meta[k] != v {
					t.Errorf("meta %s = %q, want %q", k, docs[0].Meta[k], v)
				}
			}
			if tc.name == "entities decoded" && docs[0].Text != "Fish & chips > pizza" {
				t.Errorf("text %q", docs[0].Text)
			}
		})
	}
}

// TestMalformedLines: a bad line is a record error naming file and line,
// and reading goes on.
func TestMalformedLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), "RC_bad.ndjson")
	writeLines(t, p,
		`{"id":"a1","body":"first","score":5,"created_utc":1262304000,"link_id":"t3_z"}`,
		`{"id":"a2","body":"cut off`,
		``,
		`{"id":"a3","body":"third","score":5,"created_utc":"yesterday","link_id":"t3_z"}`,
		`[1,2]`,
		`{"id":"a4","body":"fourth","score":5,"created_utc":1262304000,"link_id":"t3_z"}`)
	docs, recErrs, final, _ := readAll(t, mustNew(t, DefaultOptions()), p)
	if final != nil {
		t.Fatal(final)
	}
	if len(docs) != 2 || docs[0].Text != "first" || docs[1].Text != "fourth" {
		t.Fatalf("docs %v", docs)
	}
	want := []string{"line 2", "line 4", "line 5"}
	if len(recErrs) != len(want) {
		t.Fatalf("record errors %v", recErrs)
	}
	for i, e := range recErrs {
		if e.File != p || e.Record != want[i] || !strings.Contains(e.Error(), p+": "+want[i]) {
			t.Errorf("record error %d = %v, want %s of %s", i, e, want[i], p)
		}
	}
}

// TestTruncatedZstd cuts the 2019 dump: the error names the file and the
// line reached, and every record before it is kept.
func TestTruncatedZstd(t *testing.T) {
	dir := corpustest.Dir(t, "reddit")
	raw, err := os.ReadFile(filepath.Join(dir, "RS_2019-10.zst"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "RS_2019-10.zst")
	os.WriteFile(p, raw[:len(raw)/2], 0o644)
	o := DefaultOptions()
	o.MinScore = -1 << 30
	o.KeepDeleted = true
	docs, _, final, _ := readAll(t, mustNew(t, o), p)
	if final == nil || !strings.Contains(final.Error(), p) || !strings.Contains(final.Error(), "after line ") {
		t.Fatalf("want a final error naming file and line, got %v", final)
	}
	full, _, _, _ := readAll(t, mustNew(t, o), filepath.Join(dir, "RS_2019-10.zst"))
	if len(docs) < 100 || len(docs) >= len(full) {
		t.Fatalf("%d of %d records kept before the cut", len(docs), len(full))
	}
	for i, d := range docs {
		if d.ID != full[i].ID || d.Text != full[i].Text {
			t.Fatalf("record %d before the cut differs", i)
		}
	}
	t.Logf("cut dump: %d records kept, error: %v", len(docs), final)
}

func TestOptionsYAML(t *testing.T) {
	var o Options
	dec := yaml.NewDecoder(strings.NewReader("min_score: 10\nbots: [RemindMeBot]\n"))
	dec.KnownFields(true)
	if err := dec.Decode(&o); err != nil {
		t.Fatal(err)
	}
	if o.MinScore != 10 || !o.DropBots || o.NSFW != NSFWKeep || len(o.Bots) != 1 || o.Validate() != nil {
		t.Fatalf("got %+v", o)
	}
	dec = yaml.NewDecoder(strings.NewReader("min_scor: 10\n"))
	dec.KnownFields(true)
	if err := dec.Decode(&o); err == nil {
		t.Fatal("unknown key accepted")
	}
	o = DefaultOptions()
	o.NSFW = "blur"
	if _, err := New(o); err == nil {
		t.Fatal("nsfw: blur accepted")
	}
}

const sampleDir = "../../testdata/sample/reddit"

// TestWebTextURLs checks the URL list of the sample month against an
// independent reading with encoding/json, and against what the sample was
// written to contain.
func TestWebTextURLs(t *testing.T) {
	rs := filepath.Join(sampleDir, "RS_2013-05.zst")
	var out strings.Builder
	st, err := WebTextURLs([]string{rs, filepath.Join(sampleDir, "RC_2013-05.zst")}, &out, WebTextOptions{MinScore: 3, Dedup: true})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(out.String())

	in, err := sources.Open(rs)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dec := json.NewDecoder(in)
	var want []string
	for {
		var r struct {
			URL    string  `json:"url"`
			IsSelf bool    `json:"is_self"`
			Score  float64 `json:"score"`
		}
		if err := dec.Decode(&r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(strings.ReplaceAll(r.URL, "&amp;", "&"))
		if r.IsSelf || r.Score < 3 || err != nil || !strings.HasPrefix(u.Scheme, "http") ||
			strings.Contains(u.Host, "redd.it") || strings.Contains(u.Host, "reddit.com") ||
			strings.HasSuffix(u.Path, ".jpg") || strings.HasSuffix(u.Path, ".png") || strings.HasSuffix(u.Path, ".gif") {
			continue
		}
		want = append(want, u.String())
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %d URLs %v\nwant %d %v", len(got), got, len(want), want)
	}
	// The sample has two outbound links with score >= 3 (the others are
	// self posts, imgur images, or below the karma rule); the second has
	// its &amp; decoded.
	if len(got) != 2 || !strings.Contains(got[1], "?ref=rss&utm_source=reddit") {
		t.Fatalf("URLs %v", got)
	}
	if st.Written != 2 || st.Submissions != 9 || st.LowScore != 1 {
		t.Fatalf("stats %+v", st)
	}
}

// TestThreads assembles the sample month: submission first, then comments
// in tree order; dropped comments vanish but their replies stay.
func TestThreads(t *testing.T) {
	o := DefaultOptions()
	o.Threads = true
	s := mustNew(t, o)
	rs, rc := filepath.Join(sampleDir, "RS_2013-05.zst"), filepath.Join(sampleDir, "RC_2013-05.zst")
	units, err := s.Units([]sources.Input{{Path: rc}, {Path: rs}})
	if err != nil || len(units) != 1 || units[0].Input.Path != rs {
		t.Fatalf("units %v %v: want the month as one unit led by RS", units, err)
	}
	docs, recErrs, final, counts := readAll(t, s, rc, rs)
	if final != nil || len(recErrs) > 0 {
		t.Fatal(final, recErrs)
	}
	var th *doc.Document
	for _, d := range docs {
		if d.ID == "t3_1dhq2a" {
			th = d
		}
		if d.ID == "t3_1dhv8m" || d.ID == "t3_1dhw2p" {
			t.Errorf("thread of a dropped submission kept: %s", d.ID)
		}
	}
	if th == nil {
		t.Fatal("thread t3_1dhq2a missing")
	}
	order := []string{
		"How did medieval ships navigate",
		"Mostly the sun, the stars",
		"Is the 'sunstone' real",
		"It is mentioned in a few sources",
		"Replying to the deleted comment",
	}
	last := -1
	for _, s := range order {
		i := strings.Index(th.Text, s)
		if i <= last {
			t.Fatalf("%q out of tree order in\n%s", s, th.Text)
		}
		last = i
	}
	for _, gone := range []string{"Welcome to /r/AskHistorians", "[deleted]", "great question"} {
		if strings.Contains(th.Text, gone) {
			t.Errorf("dropped comment %q in thread", gone)
		}
	}
	if th.Meta["comments"] != "4" || th.Meta["kind"] != "thread" || th.URL == "" || counts["reddit.bot"] == 0 {
		t.Errorf("meta %v url %q counts %v", th.Meta, th.URL, counts)
	}
}

// TestThreadsSpill forces the bucketed path (many threads, small memory
// budget) and checks it gives the same threads as the in-memory path.
func TestThreadsSpill(t *testing.T) {
	dir := t.TempDir()
	var subs, coms []string
	for i := range 2000 {
		subs = append(subs, fmt.Sprintf(`{"id":"s%d","title":"Thread number %d about things","selftext":"Body text of thread %d, long enough to matter.","score":10,"created_utc":%d,"subreddit":"test","is_self":true}`, i, i, i, 1367366400+i))
		for j := range 3 {
			parent := fmt.Sprintf("t3_s%d", i)
			if j > 0 {
				parent = fmt.Sprintf("t1_c%d_%d", i, j-1)
			}
			coms = append(coms, fmt.Sprintf(`{"id":"c%d_%d","body":"Reply %d in thread %d, with words.","score":5,"created_utc":%d,"link_id":"t3_s%d","parent_id":"%s","subreddit":"test"}`, i, j, j, i, 1367370000+i*3+j, i, parent))
		}
	}
	writeLines(t, filepath.Join(dir, "RS_2013-06.ndjson"), subs...)
	writeLines(t, filepath.Join(dir, "RC_2013-06.ndjson"), coms...)
	read := func(mem int64) map[string]string {
		o := DefaultOptions()
		o.Threads, o.ThreadMemory, o.TempDir = true, mem, dir
		docs, recErrs, final, _ := readAll(t, mustNew(t, o), filepath.Join(dir, "RC_2013-06.ndjson"), filepath.Join(dir, "RS_2013-06.ndjson"))
		if final != nil || len(recErrs) > 0 {
			t.Fatal(final, recErrs)
		}
		m := map[string]string{}
		for _, d := range docs {
			m[d.ID] = d.Text
		}
		return m
	}
	spilled, inMem := read(1<<20), read(1<<30)
	if len(spilled) != 2000 || fmt.Sprint(spilled) != fmt.Sprint(inMem) {
		t.Fatalf("spilled %d threads, in memory %d; differ: %v", len(spilled), len(inMem), fmt.Sprint(spilled) != fmt.Sprint(inMem))
	}
	if want := "Thread number 7 about things\n\nBody text of thread 7, long enough to matter.\n\nReply 0 in thread 7, with words.\n\nReply 1 in thread 7, with words.\n\nReply 2 in thread 7, with words."; spilled["t3_s7"] != want {
		t.Fatalf("thread s7 = %q", spilled["t3_s7"])
	}
	left, _ := filepath.Glob(filepath.Join(dir, "curate-reddit-threads-*"))
	if len(left) != 0 {
		t.Fatalf("spill files left behind: %v", left)
	}
}

// TestWebTextMalformed: a broken line is reported with file and line, the
// URLs around it are kept.
func TestWebTextMalformed(t *testing.T) {
	p := filepath.Join(t.TempDir(), "RS_bad.ndjson")
	writeLines(t, p,
		`{"id":"s1","title":"a","url":"https://a.example/1","score":9,"created_utc":1}`,
		`{"id":"s2","title":"b","url":"https://a.exa`,
		`{"id":"c1","body":"a comment","score":9,"created_utc":1,"link_id":"t3_s1"}`,
		`{"id":"s3","title":"c","url":"https://a.example/3","score":9,"created_utc":1}`)
	var bad []*doc.RecordError
	var out strings.Builder
	st, err := WebTextURLs([]string{p}, &out, WebTextOptions{MinScore: 3, OnRecordError: func(e *doc.RecordError) { bad = append(bad, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "https://a.example/1\nhttps://a.example/3\n" || st.BadRecords != 1 || len(bad) != 1 || bad[0].Record != "line 2" || bad[0].File != p {
		t.Fatalf("out %q stats %+v errors %v", out.String(), st, bad)
	}
}
