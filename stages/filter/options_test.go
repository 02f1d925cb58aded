package filter

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func decode(t *testing.T, src string) (Options, error) {
	t.Helper()
	var o Options
	dec := yaml.NewDecoder(bytes.NewBufferString(src))
	dec.KnownFields(true)
	err := dec.Decode(&o)
	return o, err
}

func TestOptionsYAML(t *testing.T) {
	o, err := decode(t, "preset: books\ngopher_quality: {min_doc_words: 30}\npii: {enabled: false}\n")
	if err != nil {
		t.Fatal(err)
	}
	want := Preset("books")
	want.GopherQuality.MinDocWords = 30
	want.PII.Enabled = false
	if !reflect.DeepEqual(o, want) {
		t.Errorf("books override:\n got %+v\nwant %+v", o, want)
	}
	// An empty block is the web preset, i.e. DefaultOptions.
	o, err = decode(t, "{}\n")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o, DefaultOptions()) {
		t.Errorf("empty block is not DefaultOptions")
	}
	// Adding a language keeps English.
	o, err = decode(t, "gopher_quality:\n  languages:\n    fr: {stop_words: [le, la, de], min_stop_words: 2}\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := o.GopherQuality.Languages["en"]; !ok || len(o.GopherQuality.Languages) != 2 {
		t.Errorf("languages = %v, want en and fr", o.GopherQuality.Languages)
	}
	// Strictness survives the custom unmarshaler, also in nested blocks.
	for _, src := range []string{"min_words: 3\n", "c4: {filter_javascipt: true}\n", "gopher_repetition: {top_n_grams: [{n: 2, frac: 0.2}]}\n"} {
		if _, err := decode(t, src); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("%q: got %v, want an unknown-field error", src, err)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, p := range Presets {
		o := Preset(p)
		if err := o.Validate(); err != nil {
			t.Errorf("preset %s: %v", p, err)
		}
	}
	o := Preset("web")
	o.Preset = "forum"
	o.Length.MinChars, o.Length.MaxChars = 10, 5
	o.Language.MinScore = 1.5
	o.GopherRepetition.TopNGrams = []NGramThreshold{{0, 0.2}}
	o.GopherQuality.Languages["xx"] = LanguageRules{MinStopWords: 2}
	o.C4.PolicySubstrings = []string{"Cookie"}
	o.PII.EmailReplacements = nil
	err := o.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`preset "forum"`, "min_chars 10 > max_chars 5", "language.min_score", "top_n_grams[0].n",
		"languages.xx: min_stop_words 2 with no stop_words", "policy_substrings[0]", "email_replacements"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := New(o); err == nil || !strings.HasPrefix(err.Error(), "filter options: ") {
		t.Errorf("New with bad options: %v", err)
	}
}

func TestNewOrder(t *testing.T) {
	for _, tc := range []struct {
		preset string
		want   string
	}{
		{"web", "language gopher_repetition gopher_quality c4 fineweb pii"},
		{"wikipedia", "length pii"},
		{"books", "length gopher_quality pii"},
		{"reddit", "placeholder length gopher_repetition pii"},
		{"code", "length code pii"},
	} {
		st, err := New(Preset(tc.preset))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range st {
			names = append(names, s.Name())
		}
		if got := strings.Join(names, " "); got != tc.want {
			t.Errorf("%s: stages %q, want %q", tc.preset, got, tc.want)
		}
	}
}
