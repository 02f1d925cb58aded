package langid

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/curate-dev/curate/pipeline/corpustest"
	"github.com/curate-dev/curate/pipeline/doc"
	"github.com/pemistahl/lingua-go"
	"go.yaml.in/yaml/v3"
)

// allLangs is one Tagger over every lingua language, shared by the tests
// (building it decodes ~1.1M n-grams; the Tagger is safe to share).
var allLangs = sync.OnceValues(func() (*Tagger, error) { return New(DefaultOptions()) })

// tagger returns the shared all-language Tagger. Under -race it skips: the
// first short Latin-script text loads the 4- and 5-gram tables of 49
// languages, which takes minutes with the race detector. The race run is for
// concurrency, and the concurrency tests build small taggers of their own.
func tagger(t testing.TB) *Tagger {
	t.Helper()
	if raceDetector {
		t.Skip("the all-language tagger is not built under -race (minutes of model loading); see TestConcurrent")
	}
	tg, err := allLangs()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tg
}

func TestOptionsYAML(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    Options
		wantErr string
	}{
		{name: "empty keeps defaults", yaml: "{}", want: DefaultOptions()},
		{name: "overrides", yaml: "min_confidence: 0.8\nlanguages: [en, FR]\nwindow_bytes: 512\nmax_windows: 3\n",
			want: Options{MinConfidence: 0.8, Languages: []string{"en", "FR"}, WindowBytes: 512, MaxWindows: 3}},
		{name: "unknown key", yaml: "min_confidance: 0.8\n", wantErr: "field min_confidance not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got Options
			dec := yaml.NewDecoder(strings.NewReader(tc.yaml))
			dec.KnownFields(true)
			err := dec.Decode(&got)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.MinConfidence != tc.want.MinConfidence || got.WindowBytes != tc.want.WindowBytes ||
				got.MaxWindows != tc.want.MaxWindows || strings.Join(got.Languages, ",") != strings.Join(tc.want.Languages, ",") {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if err := got.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*Options)
		wantErr string
	}{
		{"defaults", func(*Options) {}, ""},
		{"confidence above 1", func(o *Options) { o.MinConfidence = 1.5 }, "min_confidence 1.5 is outside 0..1"},
		{"tiny window", func(o *Options) { o.WindowBytes = 64 }, "window_bytes 64"},
		{"no windows", func(o *Options) { o.MaxWindows = 0 }, "max_windows 0"},
		{"unknown language", func(o *Options) { o.Languages = []string{"en", "xx"} }, `"xx" is not an ISO 639-1 code`},
		{"ISO 639-3 is not 639-1", func(o *Options) { o.Languages = []string{"eng"} }, `"eng" is not an ISO 639-1 code`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			tc.mod(&o)
			err := o.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if _, err := New(o); err == nil {
				t.Fatal("New accepted invalid options")
			}
		})
	}
}

// TestModelsReadable guards the link to lingua's embedded models: a lingua
// upgrade that renames them must fail here, not tag everything "und".
func TestModelsReadable(t *testing.T) {
	for _, order := range []int{1, 2, 3} {
		s, err := loadModel(LanguageOf("en"), order)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.keys) < 20 {
			t.Fatalf("English %d-gram model has %d n-grams", order, len(s.keys))
		}
	}
	tg, err := New(Options{MinConfidence: 0.5, Languages: []string{"en", "fr", "el"}, WindowBytes: 1024, MaxWindows: 8})
	if err != nil {
		t.Fatal(err)
	}
	// Greek is decided by its script: its models are not loaded.
	if tg.dense.colOf[LanguageOf("el")] >= 0 || tg.short[greek] != nil {
		t.Fatal("Greek n-grams loaded although the script decides Greek")
	}
	if tg.models.count == 0 {
		t.Fatal("no n-grams loaded")
	}
}

func TestDetect(t *testing.T) {
	tg := tagger(t)
	tests := []struct {
		text string
		want string
	}{
		{"The committee published its annual report on the state of the nation's rivers and lakes yesterday.", "en"},
		{"Le comité a publié hier son rapport annuel sur l'état des rivières et des lacs du pays.", "fr"},
		{"Der Ausschuss hat gestern seinen Jahresbericht über den Zustand der Flüsse und Seen des Landes veröffentlicht.", "de"},
		{"El comité publicó ayer su informe anual sobre el estado de los ríos y lagos del país.", "es"},
		{"Комитет вчера опубликовал свой ежегодный доклад о состоянии рек и озёр страны.", "ru"},
		{"Комітет учора оприлюднив свою доповідь про стан річок і озер країни, а також пропозиції щодо їхнього захисту.", "uk"},
		{"Комитетът публикува вчера годишния си доклад за състоянието на реките и езерата в страната.", "bg"},
		{"Η επιτροπή δημοσίευσε χθες την ετήσια έκθεσή της για την κατάσταση των ποταμών.", "el"},
		{"委員会は昨日、国内の河川と湖の状態に関する年次報告書を公表した。", "ja"},
		{"委员会昨天发表了关于全国河流和湖泊状况的年度报告。", "zh"},
		{"위원회는 어제 전국 하천과 호수의 상태에 관한 연례 보고서를 발표했다.", "ko"},
		{"הוועדה פרסמה אתמול את הדוח השנתי שלה על מצב הנהרות והאגמים.", "he"},
		{"", "und"},
		{"\xff\xfe\xfd invalid \xc3 UTF-8 \x80\x80 bytes around English words that still say what they are", "en"},
		{"12345 67890 +-*/ 3.14159", "und"},
	}
	for _, tc := range tests {
		t.Run(tc.want+"/"+firstWords(tc.text), func(t *testing.T) {
			got, score := tg.Detect(tc.text)
			if got != tc.want {
				t.Fatalf("Detect = %s (%.3f), want %s", got, score, tc.want)
			}
			if tc.want != "und" && score < 0.5 {
				t.Fatalf("score %.3f for a clear single-language text", score)
			}
		})
	}
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 2 {
		f = f[:2]
	}
	if len(f) == 0 {
		return "empty"
	}
	return strings.Join(f, "_")
}

func TestApply(t *testing.T) {
	tg := tagger(t)
	tests := []struct {
		name      string
		in        doc.Document
		wantLang  string
		wantCount int64
	}{
		{"prose", doc.Document{Text: "Ceci est un texte écrit en français, assez long pour être reconnu sans la moindre hésitation."}, "fr", 0},
		{"code kept", doc.Document{Text: "// This comment is English prose.\nfunc main() {}", Language: "code:go", LanguageScore: 1}, "code:go", 0},
		{"no letters", doc.Document{Text: "1234 5678 !!!"}, "und", 1},
		{"empty", doc.Document{}, "und", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := doc.Counts{}
			d := tc.in
			if rule := tg.Apply(&d, c); rule != "" {
				t.Fatalf("Apply dropped with %q; the tagger never drops", rule)
			}
			if d.Language != tc.wantLang {
				t.Fatalf("Language = %q, want %q", d.Language, tc.wantLang)
			}
			if c[CounterUndetermined] != tc.wantCount {
				t.Fatalf("%s = %d, want %d", CounterUndetermined, c[CounterUndetermined], tc.wantCount)
			}
			if tc.in.Language == "code:go" && d.LanguageScore != 1 {
				t.Fatal("code document's score changed")
			}
		})
	}
	if tg.Name() != "langid" {
		t.Fatalf("Name = %q", tg.Name())
	}
}

// TestMinConfidence: below the minimum the document is "und" but keeps the
// best language's score.
func TestMinConfidence(t *testing.T) {
	o := DefaultOptions()
	o.MinConfidence = 0.99
	o.Languages = []string{"en", "fr"}
	tg, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	half := strings.Repeat("The weather was fine and we walked along the river to the old mill. ", 15) +
		strings.Repeat("Il faisait beau et nous avons marché le long de la rivière jusqu'au vieux moulin. ", 15)
	code, score := tg.Detect(half)
	if code != "und" || score < 0.3 || score > 0.8 {
		t.Fatalf("half English, half French: %s %.3f, want und with a score near 0.5", code, score)
	}
}

// readBook returns a corpus book's text between its Gutenberg markers.
func readBook(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpustest.Dir(t, "books"), name))
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	s := string(b)
	if i := strings.Index(s, "*** START OF"); i >= 0 {
		s = s[i:]
		s = s[strings.IndexByte(s, '\n')+1:]
	}
	if i := strings.Index(s, "*** END OF"); i >= 0 {
		s = s[:i]
	}
	return s
}

// TestMixedLanguage: a French book with an English preface stays French, with
// a lower score than the French text alone.
func TestMixedLanguage(t *testing.T) {
	tg := tagger(t)
	french := readBook(t, "20000-Lieues-sous-les-mers.txt")
	english := readBook(t, "11-0.txt") // Alice in Wonderland
	preface := english[:len(french)/8]
	pureCode, pureScore := tg.Detect(french)
	mixCode, mixScore := tg.Detect(preface + "\n\n" + french)
	t.Logf("French alone: %s %.3f; with an English preface of %d KB: %s %.3f", pureCode, pureScore, len(preface)>>10, mixCode, mixScore)
	if pureCode != "fr" || mixCode != "fr" {
		t.Fatalf("got %s alone and %s with preface, want fr for both", pureCode, mixCode)
	}
	if mixScore >= pureScore-0.05 || mixScore < 0.6 {
		t.Fatalf("mixed score %.3f should be clearly below the pure score %.3f and still a majority", mixScore, pureScore)
	}
}

// TestConcurrent: one Tagger shared by goroutines gives the answers it gives
// alone (run with -race). Its languages span four scripts and both scoring
// paths (short texts with 1- to 5-grams, script rules).
func TestConcurrent(t *testing.T) {
	tg, err := New(Options{MinConfidence: 0.5, Languages: []string{"en", "fr", "de", "ru", "uk", "ja", "zh"}, WindowBytes: 1024, MaxWindows: 8})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"The committee published its annual report on the state of the nation's rivers.",
		"Le comité a publié hier son rapport annuel sur l'état des rivières et des lacs du pays.",
		"Комитет вчера опубликовал свой ежегодный доклад о состоянии рек и озёр страны.",
		"委員会は昨日、国内の河川と湖の状態に関する年次報告書を公表した。",
	}
	want := make([]string, len(texts))
	for i, s := range texts {
		want[i], _ = tg.Detect(s)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(texts))
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 20 {
				i := (g + r) % len(texts)
				if got, _ := tg.Detect(texts[i]); got != want[i] {
					errs <- got + " != " + want[i]
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestWindows(t *testing.T) {
	tg, err := New(Options{MinConfidence: 0.5, Languages: []string{"en", "fr"}, WindowBytes: 128, MaxWindows: 4})
	if err != nil {
		t.Fatal(err)
	}
	word := "abcdefg "
	tests := []struct {
		name     string
		n        int // bytes of text
		wantWins int
		covering bool
	}{
		{"short: one window", 100, 1, true},
		{"fits in max windows: split", 400, 4, true},
		{"long: sampled", 4000, 4, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Repeat(word, tc.n/len(word))
			var wins []string
			tg.eachWindow(text, func(w string) { wins = append(wins, w) })
			if len(wins) != tc.wantWins {
				t.Fatalf("%d windows, want %d", len(wins), tc.wantWins)
			}
			total := 0
			for _, w := range wins {
				total += len(w)
				if len(w) > 128+64 {
					t.Fatalf("window of %d bytes", len(w))
				}
				if strings.HasPrefix(w, "bcdefg") || strings.HasPrefix(w, "g ") {
					t.Fatalf("window starts inside a word: %q", w[:10])
				}
			}
			if tc.covering && total != len(text) {
				t.Fatalf("windows cover %d of %d bytes", total, len(text))
			}
		})
	}
}

func linguaLang(l uint8) lingua.Language { return lingua.Language(l) }
