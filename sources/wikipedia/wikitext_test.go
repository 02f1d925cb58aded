package wikipedia

import "testing"

func TestConverter(t *testing.T) {
	c := NewConverter([]string{"Fichier", "Catégorie"}, false)
	tests := []struct {
		name, in, want string
	}{
		{"bold italic", "'''Paris''' is the ''capital'' of '''''France'''''.", "Paris is the capital of France."},
		{"links", "[[Paris]] is in [[France|the French Republic]]; [[river]]s and [[Seine (river)|]].", "Paris is in the French Republic; rivers and Seine."},
		{"nested templates", "Text{{Infobox|a={{b|{{c}}}}|d=[[e|f]]}} more{{{1|x}}}.", "Text more."},
		{"parser function", "A{{#if:{{{x|}}}|yes|no}}B", "AB"},
		{"kept templates", "It is {{convert|5|km|mi}} long, {{lang|fr|la ville}} and {{nowrap|10 May}}.", "It is 5 km long, la ville and 10 May."},
		{"refs", `Fact.<ref name="a">{{cite web|url=http://x}}</ref> More.<ref name=b/> End.<references/>`, "Fact. More. End."},
		{"broken ref close", "A<ref>x</ref name=\"n\"> y</ref> B.", "A B."},
		{"comments", "A <!-- hidden\nlines --> B", "A B"},
		{"files and categories", "[[File:Eiffel.jpg|thumb|The [[Eiffel Tower]] at night]]Paris.\n[[Category:Capitals]]\n[[Fichier:X.png|vignette|y]]\n[[Catégorie:Villes]]", "Paris."},
		{"media alias by options", "[[画像:Land plants.jpg|thumb|556px|center|陸上植物]]本文。", "本文。"},
		{"interlanguage", "Text.\n[[fr:Paris]]\n[[de:Paris]]", "Text."},
		{"visible category link", "See [[:Category:Capitals]].", "See Category:Capitals."},
		{"external links", "See [http://example.org the site] and [http://example.org].", "See the site and."},
		{"table dropped", "Before.\n{| class=\"wikitable\"\n|-\n! A !! B\n|-\n| 1 || 2\n|}\nAfter.", "Before.\n\nAfter."},
		{"headings and lists", "Intro.\n\n== History ==\nOld.\n* one\n* two\n# three\n; term : definition", "Intro.\n\nHistory\nOld.\none\ntwo\nthree\nterm: definition"},
		{"empty section dropped", "Body.\n\n== References ==\n{{reflist}}\n\n== External links ==\n* {{official|http://x}}", "Body."},
		{"entities", "A&nbsp;B &amp; C &ndash; D &lt;tag&gt;", "A B & C – D <tag>"},
		{"nowiki", "<nowiki>[[not a link]] ''x''</nowiki> ok", "[[not a link]] ''x'' ok"},
		{"html tags", "H<sub>2</sub>O is <span style=\"x\">water</span>.<br/>Next", "H2O is water.\nNext"},
		{"math dropped", "Energy <math>E=mc^2</math> equals.", "Energy equals."},
		{"magic words", "__NOTOC__Text __TOC__ here.", "Text here."},
		{"emptied brackets", "Paris ({{IPA|pa.ʁi}}; {{lang-fr|Paris}}) is big.", "Paris (Paris) is big."},
		{"unclosed template", "A {{broken B", "A broken B"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Text(tc.in); got != tc.want {
				t.Errorf("\n in: %q\ngot: %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestConverterKeepTables(t *testing.T) {
	c := NewConverter(nil, true)
	in := "Before.\n{| class=\"wikitable\"\n|+ Cities\n|-\n! City !! Population\n|-\n| style=\"x\" | [[Paris]] || 2,100,000\n|}\nAfter."
	want := "Before.\nCities\nCity\tPopulation\nParis\t2,100,000\n\nAfter."
	if got := c.Text(in); got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func BenchmarkConverter(b *testing.B) {
	c := NewConverter(nil, false)
	page := "'''Paris''' ({{IPA|pa.ʁi}}) is the [[capital city|capital]] of [[France]].<ref>{{cite web|url=http://x|title=y}}</ref> " +
		"{{Infobox settlement|name=Paris|population={{formatnum:2100000}}}}\n== History ==\n* [[Lutetia]] was founded.\n"
	for len(page) < 64<<10 {
		page += page
	}
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		c.Text(page)
	}
}
