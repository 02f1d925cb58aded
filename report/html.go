package report

import (
	"bytes"
	"fmt"
	"html/template"
)

// bar is one bar of an SVG chart; Key ties it to its number in report.json
// so a test can check the picture against the data.
type bar struct {
	Label string
	Key   string
	Value int64
	Y     int
	W     float64
	Text  string
}

type chart struct {
	Title  string
	Height int
	Bars   []bar
}

const chartWidth = 360.0

func barChart(title, keyPrefix string, labels []string, values []int64, text func(i int) string) chart {
	var maxV int64
	for _, v := range values {
		maxV = max(maxV, v)
	}
	c := chart{Title: title, Height: 22*len(values) + 6}
	for i, v := range values {
		w := 0.0
		if maxV > 0 {
			w = chartWidth * float64(v) / float64(maxV)
		}
		c.Bars = append(c.Bars, bar{Label: labels[i], Key: fmt.Sprintf("%s.%d", keyPrefix, i), Value: v, Y: 22*i + 3, W: w, Text: text(i)})
	}
	return c
}

func langChart(title, prefix string, langs []Language) chart {
	labels := make([]string, len(langs))
	vals := make([]int64, len(langs))
	for i, l := range langs {
		labels[i], vals[i] = l.Code, l.Bytes
	}
	return barChart(title, prefix, labels, vals, func(i int) string {
		return fmt.Sprintf("%.1f%%", 100*langs[i].Share)
	})
}

func histChart(title, prefix string, hist []Bucket) chart {
	labels := make([]string, len(hist))
	vals := make([]int64, len(hist))
	for i, h := range hist {
		labels[i], vals[i] = h.Label, h.Count
	}
	return barChart(title, prefix, labels, vals, func(i int) string { return fmt.Sprint(vals[i]) })
}

type sourceView struct {
	Source
	Index      int
	LangChart  chart
	LenChart   chart
	ScoreChart chart
	// ClusterChart is the dedup cluster-size histogram.
	ClusterChart chart
}

type view struct {
	*Data
	LangChart chart
	Sources   []sourceView
}

var funcs = template.FuncMap{
	"pct": func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"hasTokens": func(langs []Language) bool {
		for _, l := range langs {
			if l.Tokens > 0 {
				return true
			}
		}
		return false
	},
	"human": human,
	"short": short,
	"f1":    func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"f2":    func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
	"k": func(parts ...any) string {
		s := ""
		for i, p := range parts {
			if i > 0 {
				s += "."
			}
			s += fmt.Sprint(p)
		}
		return s
	},
}

var page = template.Must(template.New("report").Funcs(funcs).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>curate report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1000px;color:#1d232b;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0}td,th{padding:.25em .7em;border-bottom:1px solid #eaeef2;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#f6f8fa}
.facts span{display:inline-block;margin-right:1.5em}.row{display:flex;flex-wrap:wrap;gap:2em}
svg text{font:12px system-ui,sans-serif;fill:#1d232b}svg rect{fill:#3b82c4}
.muted{color:#57606a}
</style></head><body>
<h1>curate report</h1>
{{with .Run}}<p class="facts">
<span>config <code>{{.ConfigPath}}</code> (sha256 <code>{{short .ConfigSHA256}}</code>)</span>
<span>curate {{.CurateVersion}}</span>
<span><b data-k="run.inputs" data-v="{{.Inputs}}">{{.Inputs}}</b> inputs, <b data-k="run.input_bytes" data-v="{{.InputBytes}}">{{human .InputBytes}}</b></span>
<span><b data-k="run.workers" data-v="{{.Workers}}">{{.Workers}}</b> workers</span>
<span><b data-k="run.seconds" data-v="{{.Seconds}}">{{f1 .Seconds}}</b> s</span>
<span><b data-k="run.mb_per_second" data-v="{{.MBPerSecond}}">{{f1 .MBPerSecond}}</b> MB/s</span>
<span>peak RSS <b data-k="run.peak_rss_mib" data-v="{{.PeakRSSMiB}}">{{f1 .PeakRSSMiB}}</b> MiB</span></p>
{{if .Phases}}<table><tr><th>phase</th><th>seconds</th><th>tasks run</th><th>tasks skipped</th></tr>
{{range $i, $p := .Phases}}<tr><td>{{$p.Name}}</td><td data-k="{{k "run.phases" $i "seconds"}}" data-v="{{$p.Seconds}}">{{f2 $p.Seconds}}</td><td data-k="{{k "run.phases" $i "tasks_run"}}" data-v="{{$p.TasksRun}}">{{$p.TasksRun}}</td><td data-k="{{k "run.phases" $i "tasks_skipped"}}" data-v="{{$p.TasksSkipped}}">{{$p.TasksSkipped}}</td></tr>
{{end}}</table>{{end}}{{end}}

<h2>Language mix</h2>
<div class="row"><div>{{template "langtable" (dict "Prefix" "languages" "Langs" .Languages)}}</div>
<div>{{template "chart" .LangChart}}</div></div>

{{if .Mixture}}<h2>Mixture</h2>
<table><tr><th>source</th><th>tokens</th><th>weight in mix</th><th>epochs</th></tr>
{{range $i, $m := .Mixture}}<tr><td>{{$m.Source}}</td><td data-k="{{k "mixture" $i "tokens"}}" data-v="{{$m.Tokens}}">{{$m.Tokens}}</td><td data-k="{{k "mixture" $i "weight"}}" data-v="{{$m.Weight}}">{{pct $m.Weight}}</td><td data-k="{{k "mixture" $i "epochs"}}" data-v="{{$m.Epochs}}">{{f2 $m.Epochs}}</td></tr>
{{end}}</table>{{end}}
{{if .MixCells}}<h3>Feed by source and language</h3>
<table><tr><th>source</th><th>language</th><th>docs</th><th>tokens</th><th>rate</th><th>docs taken</th><th>tokens taken</th></tr>
{{range $i, $c := .MixCells}}<tr><td>{{$c.Source}}</td><td>{{$c.Language}}</td><td data-k="{{k "mixture_cells" $i "docs"}}" data-v="{{$c.Docs}}">{{$c.Docs}}</td><td data-k="{{k "mixture_cells" $i "tokens"}}" data-v="{{$c.Tokens}}">{{$c.Tokens}}</td><td data-k="{{k "mixture_cells" $i "rate"}}" data-v="{{$c.Rate}}">{{f2 $c.Rate}}</td><td data-k="{{k "mixture_cells" $i "selected_docs"}}" data-v="{{$c.SelectedDocs}}">{{$c.SelectedDocs}}</td><td data-k="{{k "mixture_cells" $i "selected_tokens"}}" data-v="{{$c.SelectedTokens}}">{{$c.SelectedTokens}}</td></tr>
{{end}}</table>
{{if .MixLanguages}}<table><tr><th>language</th><th>target</th><th>achieved</th></tr>
{{range $i, $l := .MixLanguages}}<tr><td>{{$l.Key}}</td><td data-k="{{k "mixture_languages" $i "target"}}" data-v="{{$l.Target}}">{{pct $l.Target}}</td><td data-k="{{k "mixture_languages" $i "achieved"}}" data-v="{{$l.Achieved}}">{{pct $l.Achieved}}</td></tr>
{{end}}</table>{{end}}{{end}}

{{range .Sources}}{{$s := .}}
<h2>Source {{.Name}} <span class="muted">({{.Kind}}, weight {{.Weight}}, epochs {{.Epochs}})</span></h2>
<div class="row"><div><h3>Funnel</h3>
<table><tr><th>step</th><th>docs</th><th>bytes</th></tr>
{{range $i, $f := .Funnel}}<tr><td>{{$f.Label}}</td><td data-k="{{k "sources" $s.Index "funnel" $i "docs"}}" data-v="{{$f.Docs}}">{{$f.Docs}}</td><td data-k="{{k "sources" $s.Index "funnel" $i "bytes"}}" data-v="{{$f.Bytes}}">{{human $f.Bytes}}</td></tr>
{{end}}</table>
{{if or .RecordErrors .InputErrors}}<p>Skipped <b data-k="{{k "sources" $s.Index "record_errors"}}" data-v="{{.RecordErrors}}">{{.RecordErrors}}</b> bad records and <b data-k="{{k "sources" $s.Index "input_errors"}}" data-v="{{.InputErrors}}">{{.InputErrors}}</b> inputs (errors.json).</p>{{end}}
{{if .Drops}}<table><tr><th>dropped by</th><th>docs</th><th>bytes</th></tr>
{{range $i, $d := .Drops}}<tr><td>{{$d.Rule}}</td><td data-k="{{k "sources" $s.Index "drops" $i "docs"}}" data-v="{{$d.Docs}}">{{$d.Docs}}</td><td data-k="{{k "sources" $s.Index "drops" $i "bytes"}}" data-v="{{$d.Bytes}}">{{human $d.Bytes}}</td></tr>
{{end}}</table>{{end}}
{{if .Counters}}<table><tr><th>counter</th><th>value</th></tr>
{{range $i, $c := .Counters}}<tr><td>{{$c.Name}}</td><td data-k="{{k "sources" $s.Index "counters" $i "value"}}" data-v="{{$c.Value}}">{{$c.Value}}</td></tr>
{{end}}</table>{{end}}</div>
<div><h3>Languages</h3>{{template "langtable" (dict "Prefix" (k "sources" $s.Index "languages") "Langs" .Languages)}}{{template "chart" .LangChart}}</div>
<div><h3>Document length (bytes)</h3>{{template "chart" .LenChart}}</div>
<div><h3>Language score</h3>{{template "chart" .ScoreChart}}</div>
{{if .DedupClusters}}<div><h3>Duplicate cluster size</h3>{{template "chart" .ClusterChart}}</div>{{end}}
{{if .Decontam}}<div><h3>Decontamination</h3><table><tr><th>evaluation set</th><th>docs</th><th>spans</th><th>bytes</th></tr>
{{range $i, $e := .Decontam}}<tr><td>{{$e.Set}}</td><td data-k="{{k "sources" $s.Index "decontaminate" $i "docs"}}" data-v="{{$e.Docs}}">{{$e.Docs}}</td><td data-k="{{k "sources" $s.Index "decontaminate" $i "spans"}}" data-v="{{$e.Spans}}">{{$e.Spans}}</td><td data-k="{{k "sources" $s.Index "decontaminate" $i "bytes"}}" data-v="{{$e.Bytes}}">{{human $e.Bytes}}</td></tr>
{{end}}</table></div>{{end}}
{{with .Paragraphs}}<div><h3>Paragraph dedup</h3><p><span data-k="{{k "sources" $s.Index "paragraphs" "removed"}}" data-v="{{.Removed}}">{{.Removed}}</span> paragraphs ({{human .Bytes}}) removed from <span data-k="{{k "sources" $s.Index "paragraphs" "docs_cut"}}" data-v="{{.DocsCut}}">{{.DocsCut}}</span> documents.</p>
{{if .Top}}<table><tr><th>most frequent removed paragraphs</th><th>docs in run</th><th>removed here</th></tr>
{{range $i, $t := .Top}}<tr><td>{{$t.Text}}</td><td data-k="{{k "sources" $s.Index "paragraphs" "top" $i "docs"}}" data-v="{{$t.Docs}}">{{$t.Docs}}</td><td data-k="{{k "sources" $s.Index "paragraphs" "top" $i "removed"}}" data-v="{{$t.Removed}}">{{$t.Removed}}</td></tr>
{{end}}</table>{{end}}</div>{{end}}</div>
{{end}}
</body></html>
{{define "langtable"}}{{$tok := hasTokens .Langs}}<table><tr><th>language</th><th>docs</th><th>bytes</th>{{if $tok}}<th>tokens</th>{{end}}<th>share</th></tr>
{{range $i, $l := .Langs}}<tr><td>{{$l.Code}}</td><td data-k="{{k $.Prefix $i "docs"}}" data-v="{{$l.Docs}}">{{$l.Docs}}</td><td data-k="{{k $.Prefix $i "bytes"}}" data-v="{{$l.Bytes}}">{{human $l.Bytes}}</td>{{if $tok}}<td data-k="{{k $.Prefix $i "tokens"}}" data-v="{{$l.Tokens}}">{{$l.Tokens}}</td>{{end}}<td data-k="{{k $.Prefix $i "share"}}" data-v="{{$l.Share}}">{{pct $l.Share}}</td></tr>
{{end}}</table>{{end}}
{{define "chart"}}<svg role="img" aria-label="{{.Title}}" width="520" height="{{.Height}}" viewBox="0 0 520 {{.Height}}" xmlns="http://www.w3.org/2000/svg">
{{range .Bars}}<text x="0" y="{{.Y}}" dy="13">{{.Label}}</text><rect x="90" y="{{.Y}}" height="16" width="{{printf "%.1f" .W}}" data-k="{{.Key}}" data-v="{{.Value}}"><title>{{.Label}}: {{.Value}}</title></rect><text x="{{printf "%.1f" .W}}" dx="96" y="{{.Y}}" dy="13">{{.Text}}</text>
{{end}}</svg>{{end}}`))

// HTML renders the self-contained page: inline CSS and SVG, no scripts,
// nothing fetched.
func HTML(d *Data) ([]byte, error) {
	v := view{Data: d, LangChart: langChart("language mix", "languages", d.Languages)}
	for i, s := range d.Sources {
		sv := sourceView{Source: s, Index: i,
			LangChart:  langChart("languages of "+s.Name, fmt.Sprintf("sources.%d.languages", i), s.Languages),
			LenChart:   histChart("length of "+s.Name, fmt.Sprintf("sources.%d.length_hist", i), s.LengthHist),
			ScoreChart: histChart("language score of "+s.Name, fmt.Sprintf("sources.%d.score_hist", i), s.ScoreHist),
		}
		// Chart keys point at counts, not bytes, for histograms.
		for j := range sv.LenChart.Bars {
			sv.LenChart.Bars[j].Key += ".count"
		}
		for j := range sv.ScoreChart.Bars {
			sv.ScoreChart.Bars[j].Key += ".count"
		}
		sv.ClusterChart = histChart("duplicate clusters of "+s.Name, fmt.Sprintf("sources.%d.dedup_clusters", i), s.DedupClusters)
		for j := range sv.ClusterChart.Bars {
			sv.ClusterChart.Bars[j].Key += ".count"
		}
		for j := range sv.LangChart.Bars {
			sv.LangChart.Bars[j].Key += ".bytes"
		}
		v.Sources = append(v.Sources, sv)
	}
	for j := range v.LangChart.Bars {
		v.LangChart.Bars[j].Key += ".bytes"
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
