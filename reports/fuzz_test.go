package reports_test

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/linkrot/linkrot/reports"
)

// hostileReport puts text from outside linkrot into every field of a
// report that holds some: a link's URL, a document's path and title, the
// raw text of a repair, a redirect target and a public archive's answer.
func hostileReport(text, link, foreign string) reports.Report {
	r := fullReport()
	place := reports.Place{Document: text, Title: text, Line: 1, Column: 1, Role: "cited", Raw: text}
	for _, list := range []*[]reports.Entry{&r.NewlyDead, &r.StillDead, &r.Recovered, &r.Moved, &r.Suspect, &r.Blocked} {
		for i := range *list {
			e := &(*list)[i]
			e.URL, e.Host, e.Error, e.MovedTo, e.FinalURL = link, text, text, foreign, foreign
			e.Occurrences = append(e.Occurrences, place)
			e.ArchiveCopy = &reports.ArchiveRef{URL: foreign, Time: t0, Source: text}
			if e.Snapshot != nil {
				e.Snapshot.URL, e.Snapshot.Title = foreign, text
				e.Snapshot.RestoreCommand = reports.RestoreCommand(link)
			}
		}
	}
	for i := range r.Repaired {
		rp := &r.Repaired[i]
		rp.Document, rp.Raw, rp.URL, rp.ExtractedURL = text, text, link, link
		rp.Alternatives, rp.Reasons = []string{link}, []string{text}
	}
	for i := range r.Documents {
		r.Documents[i].Path, r.Documents[i].Title = text, text
		for j := range r.Documents[i].Links {
			r.Documents[i].Links[j].URL, r.Documents[i].Links[j].MovedTo = link, foreign
		}
	}
	r.Hosts = append(r.Hosts, reports.HostGroup{Host: text, Dead: 1})
	return r
}

// FuzzRender renders reports full of hostile text in every format and
// checks each format's invariant (invariant): CSV parses and no cell
// starts a formula; JSON parses; HTML parses and every href is a web URL
// or a fragment; every Markdown link target is a web URL; every foreign
// URL field of the JSON and CSV forms is a web URL or empty.
func FuzzRender(f *testing.F) {
	f.Add("Harbour notes", "https://news.example.com/a", "https://web.archive.org/web/2020/https://news.example.com/a")
	f.Add("[click](javascript:alert(1))", "javascript:alert(1)", "=cmd|' /C calc'!A0")
	f.Add("=HYPERLINK(\"http://evil.example\")", "+1-555-0100", "javascript:alert(document.cookie)")
	f.Add("a | b `c` <script>alert(1)</script>", "@SUM(A1:A9)", "data:text/html,<script>alert(1)</script>")
	f.Add("\t=1\r\n-2", "https://x.example/](javascript:alert(1))", "https://x.example/<javascript:alert(1)>")
	f.Add("![img](javascript:x) <javascript:alert(1)>", "http://[::1]/a|b", "\x1b[31mhttps://x.example/")
	// Every dropped URL is logged; millions of warnings would only slow
	// the fuzzer down.
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	f.Cleanup(func() { slog.SetDefault(prev) })
	f.Fuzz(func(t *testing.T, text, link, foreign string) {
		r := hostileReport(text, link, foreign)
		for _, format := range reports.Formats {
			var buf bytes.Buffer
			if err := reports.Render(&buf, format, r); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			if err := invariant(format, buf.String()); err != nil {
				t.Fatalf("%s: %v\n%s", format, err, buf.String())
			}
		}
	})
}
