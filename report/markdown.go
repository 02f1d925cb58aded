package report

import (
	"fmt"
	"strings"
)

// Markdown renders the report as GitHub-flavoured Markdown tables.
func Markdown(d *Data) string {
	var b strings.Builder
	r := d.Run
	fmt.Fprintf(&b, "# curate report\n\n")
	fmt.Fprintf(&b, "config `%s` (sha256 %s), curate %s  \n", r.ConfigPath, short(r.ConfigSHA256), r.CurateVersion)
	fmt.Fprintf(&b, "%d inputs, %s; %d workers; %.1f s; %.1f MB/s; peak RSS %.0f MiB\n\n", r.Inputs, human(r.InputBytes), r.Workers, r.Seconds, r.MBPerSecond, r.PeakRSSMiB)
	if len(r.Phases) > 0 {
		b.WriteString("| phase | seconds | tasks run | tasks skipped |\n|---|---:|---:|---:|\n")
		for _, p := range r.Phases {
			fmt.Fprintf(&b, "| %s | %.2f | %d | %d |\n", p.Name, p.Seconds, p.TasksRun, p.TasksSkipped)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Language mix\n\n")
	langTable(&b, d.Languages)
	if len(d.Mixture) > 0 {
		b.WriteString("## Mixture\n\n| source | tokens | weight in mix | epochs |\n|---|---:|---:|---:|\n")
		for _, m := range d.Mixture {
			fmt.Fprintf(&b, "| %s | %d | %.1f%% | %.2f |\n", m.Source, m.Tokens, 100*m.Weight, m.Epochs)
		}
		b.WriteString("\n")
	}
	if len(d.MixCells) > 0 {
		b.WriteString("### Feed by source and language\n\n| source | language | docs | tokens | rate | docs taken | tokens taken |\n|---|---|---:|---:|---:|---:|---:|\n")
		for _, c := range d.MixCells {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %.3f | %d | %d |\n", c.Source, c.Language, c.Docs, c.Tokens, c.Rate, c.SelectedDocs, c.SelectedTokens)
		}
		b.WriteString("\n| source | target | achieved |\n|---|---:|---:|\n")
		for _, m := range d.Mixture {
			fmt.Fprintf(&b, "| %s | %.2f%% | %.2f%% |\n", m.Source, 100*m.Weight, 100*m.Achieved)
		}
		b.WriteString("\n")
	}
	if len(d.MixLanguages) > 0 {
		b.WriteString("| language | target | achieved |\n|---|---:|---:|\n")
		for _, l := range d.MixLanguages {
			fmt.Fprintf(&b, "| %s | %.2f%% | %.2f%% |\n", l.Key, 100*l.Target, 100*l.Achieved)
		}
		b.WriteString("\n")
	}
	for _, s := range d.Sources {
		fmt.Fprintf(&b, "## Source %s (%s)\n\n", s.Name, s.Kind)
		b.WriteString("| step | docs | bytes |\n|---|---:|---:|\n")
		for _, st := range s.Funnel {
			fmt.Fprintf(&b, "| %s | %d | %d |\n", st.Label, st.Docs, st.Bytes)
		}
		b.WriteString("\n")
		if s.RecordErrors+s.InputErrors > 0 {
			fmt.Fprintf(&b, "Skipped: %d bad records, %d inputs (see errors.json).\n\n", s.RecordErrors, s.InputErrors)
		}
		if len(s.Drops) > 0 {
			b.WriteString("| dropped by | docs | bytes |\n|---|---:|---:|\n")
			for _, dr := range s.Drops {
				fmt.Fprintf(&b, "| %s | %d | %d |\n", dr.Rule, dr.Docs, dr.Bytes)
			}
			b.WriteString("\n")
		}
		if len(s.Counters) > 0 {
			b.WriteString("| counter | value |\n|---|---:|\n")
			for _, c := range s.Counters {
				fmt.Fprintf(&b, "| %s | %d |\n", c.Name, c.Value)
			}
			b.WriteString("\n")
		}
		langTable(&b, s.Languages)
		if len(s.DedupClusters) > 0 {
			b.WriteString("| duplicate cluster size | clusters |\n|---|---:|\n")
			for _, c := range s.DedupClusters {
				fmt.Fprintf(&b, "| %s | %d |\n", c.Label, c.Count)
			}
			b.WriteString("\n")
		}
		spanTables(&b, s)
	}
	return b.String()
}

func langTable(b *strings.Builder, langs []Language) {
	tokens := false
	for _, l := range langs {
		tokens = tokens || l.Tokens > 0
	}
	if tokens {
		b.WriteString("| language | docs | bytes | tokens | share |\n|---|---:|---:|---:|---:|\n")
	} else {
		b.WriteString("| language | docs | bytes | share |\n|---|---:|---:|---:|\n")
	}
	for _, l := range langs {
		if tokens {
			fmt.Fprintf(b, "| %s | %d | %d | %d | %.1f%% |\n", l.Code, l.Docs, l.Bytes, l.Tokens, 100*l.Share)
		} else {
			fmt.Fprintf(b, "| %s | %d | %d | %.1f%% |\n", l.Code, l.Docs, l.Bytes, 100*l.Share)
		}
	}
	b.WriteString("\n")
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// spanTables writes the decontamination and paragraph dedup tables.
func spanTables(b *strings.Builder, s Source) {
	if len(s.Decontam) > 0 {
		b.WriteString("| evaluation set | docs | spans | bytes |\n|---|---:|---:|---:|\n")
		for _, e := range s.Decontam {
			fmt.Fprintf(b, "| %s | %d | %d | %d |\n", e.Set, e.Docs, e.Spans, e.Bytes)
		}
		b.WriteString("\n")
	}
	if p := s.Paragraphs; p != nil {
		fmt.Fprintf(b, "Paragraph dedup: %d paragraphs (%d bytes) removed from %d documents.\n\n", p.Removed, p.Bytes, p.DocsCut)
		if len(p.Top) > 0 {
			b.WriteString("| most frequent removed paragraphs | docs in run | removed here |\n|---|---:|---:|\n")
			for _, t := range p.Top {
				text := strings.NewReplacer("|", "\\|", "\n", " ").Replace(t.Text)
				fmt.Fprintf(b, "| %s | %d | %d |\n", text, t.Docs, t.Removed)
			}
			b.WriteString("\n")
		}
	}
}
