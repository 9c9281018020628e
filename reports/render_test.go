package reports_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"flag"
	"html"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func tp(t time.Time) *time.Time { return &t }

var (
	t0      = time.Date(2026, 3, 4, 2, 0, 0, 0, time.UTC)
	nasty   = `https://odd.example/a|b?x=1&y=<script>alert("x")</script>`
	deadURL = "https://news.example.com/2014/09/29/harbour"
)

// fullReport is a report with something in every list and every optional
// field, including text that would break each format if it were not
// escaped: a '|' for Markdown tables, '<script>' for HTML, quotes and '&'
// for the shell.
func fullReport() reports.Report {
	place := func(doc string, line int) reports.Place {
		return reports.Place{Document: doc, Title: "Harbour | notes", Line: line, Column: 5, Role: "cited", Raw: deadURL}
	}
	return reports.Report{
		Schema:      reports.Schema,
		GeneratedAt: t0.Add(time.Minute),
		Selection:   reports.Scope{Kind: "run", FirstRun: 7, LastRun: 7, Latest: true},
		Summary: reports.Summary{
			Runs: []reports.RunInfo{{ID: 7, Kind: "check", Status: "ok", StartedAt: t0, FinishedAt: tp(t0.Add(90 * time.Second)),
				DurationSeconds: 90, Counters: map[string]int{"checked": 5, "newly_dead": 1}}},
			Status: "ok", StartedAt: tp(t0), FinishedAt: tp(t0.Add(90 * time.Second)), DurationSeconds: 90,
			Checks: 5, LinksChecked: 5,
			ByState: map[string]int{"alive": 1, "dead": 2, "suspect": 1, "blocked": 1},
			ByClass: map[string]int{"ok": 1, "http_4xx": 3, "blocked": 1},
			Dead:    2, NewlyDead: 1, StillDead: 1, Recovered: 1, Moved: 1, Suspect: 1, Blocked: 1, Repaired: 1,
			Drifted: 1, Replaced: 1,
		},
		NewlyDead: []reports.Entry{{
			URL: deadURL, Host: "news.example.com", State: "dead", StateBefore: "suspect",
			Class: "http_4xx", Status: 404, Error: "404 Not Found", Evidence: []string{"GET 404"},
			LastChecked: tp(t0), FirstSeen: t0.Add(-30 * 24 * time.Hour), Failures: 3,
			FirstFailure: tp(t0.Add(-72 * time.Hour)), LastSuccess: tp(t0.Add(-96 * time.Hour)),
			Occurrences: []reports.Place{place("notes/a.txt", 3), place("notes/b.md", 10)},
			Snapshot: &reports.SnapshotRef{CapturedAt: t0.Add(-96 * time.Hour), URL: deadURL, Title: "Harbour",
				RestoreCommand: reports.RestoreCommand(deadURL)},
			ArchiveCopy: &reports.ArchiveRef{URL: "https://web.archive.example/web/20140929000000/" + deadURL,
				Time: time.Date(2014, 9, 29, 0, 0, 0, 0, time.UTC), Source: "wayback"},
		}},
		StillDead: []reports.Entry{{
			URL: nasty, Host: "odd.example", State: "dead", Class: "dns_nxdomain", Error: "no such host",
			Evidence: []string{}, FirstSeen: t0.Add(-60 * 24 * time.Hour), Failures: 5, FirstFailure: tp(t0.Add(-40 * 24 * time.Hour)),
			Occurrences: []reports.Place{{Document: "notes/<odd>.html", Line: 1, Column: 1, Role: "source", Raw: nasty}},
			Snapshot:    &reports.SnapshotRef{CapturedAt: t0.Add(-50 * 24 * time.Hour), URL: nasty, RestoreCommand: reports.RestoreCommand(nasty)},
		}},
		Recovered: []reports.Entry{{URL: "https://back.example/", Host: "back.example", State: "alive", StateBefore: "dead",
			Class: "ok", Status: 200, Evidence: []string{}, FirstSeen: t0, Occurrences: []reports.Place{place("notes/a.txt", 7)}}},
		Moved: []reports.Entry{{URL: "http://old.example/p", Host: "old.example", State: "moved", Class: "redirect", Status: 200,
			MovedTo: "https://new.example/p", Evidence: []string{}, FirstSeen: t0, Occurrences: []reports.Place{place("notes/a.txt", 9)}}},
		Suspect: []reports.Entry{{URL: "https://flaky.example/x", Host: "flaky.example", State: "suspect", StateBefore: "alive",
			Class: "timeout", Evidence: []string{}, FirstSeen: t0, Failures: 1, FirstFailure: tp(t0),
			Occurrences: []reports.Place{place("notes/c.txt", 2)}}},
		Blocked: []reports.Entry{{URL: "https://members.example/", Host: "members.example", State: "blocked", Class: "blocked", Status: 403,
			Evidence: []string{}, FirstSeen: t0, Occurrences: []reports.Place{place("notes/c.txt", 4)}}},
		Repaired: []reports.Repair{{Document: "notes/a.txt", Line: 3, Column: 5,
			Raw: "https://news.example.com/2014/09/29/har bour", URL: deadURL, ExtractedURL: "https://news.example.com/2014/09/29/har",
			Confidence: 0.95, Repairs: []string{"joined a line-wrap split"}, Alternatives: []string{"https://news.example.com/2014/09/29/har"},
			Reasons: []string{`title says "Harbour"`}, Verified: true, VerifiedAt: tp(t0), State: "dead"}},
		Documents: []reports.DocumentGroup{{Path: "notes/a.txt", Title: "Harbour | notes", Links: []reports.DocLink{
			{URL: deadURL, State: "dead", NewlyDead: true, Line: 3, Column: 5, Role: "cited"},
			{URL: "http://old.example/p", State: "moved", Line: 9, Column: 5, Role: "cited", MovedTo: "https://new.example/p"}}}},
		Hosts: []reports.HostGroup{{Host: "news.example.com", Checked: 2, Failed: 1, Dead: 1},
			{Host: "odd.example", Dead: 1}},
		ChangedSinceCited: []reports.Changed{
			{URL: "https://news.example.com/policy", Host: "news.example.com", State: "alive", Drifted: true,
				Similarity: func() *float64 { f := 0.42; return &f }(), CheckedAt: t0,
				ReferenceCopy: &reports.SnapshotRef{CapturedAt: t0.Add(-96 * time.Hour), URL: "https://news.example.com/policy", Title: "Retention | policy",
					RestoreCommand: reports.RestoreCommand("https://news.example.com/policy") + " --at 2026-02-28T02:00:00Z"},
				Removed:     []string{"Logs are kept for 30 days | then <script>deleted</script>.", "Backups are encrypted."},
				MoreRemoved: 3, RemovedWords: 57, Occurrences: []reports.Place{place("notes/a.txt", 12)}},
			{URL: "https://parked.example/", Host: "parked.example", State: "alive", Replaced: true, ReplacedReason: "parked",
				Evidence: "this domain may be for sale", CheckedAt: t0, Removed: []string{}, Occurrences: []reports.Place{place("notes/b.md", 2)}},
		},
	}
}

func render(t *testing.T, format string, r reports.Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.Render(&buf, format, r); err != nil {
		t.Fatalf("Render(%s): %v", format, err)
	}
	return buf.String()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestRenderText(t *testing.T) {
	t.Parallel()
	out := render(t, "text", fullReport())
	for _, want := range []string{
		"linkrot report: run 7 (ok)",
		"5 checks of 5 links: alive 1, suspect 1, dead 2, blocked 1",
		"dead 2 (1 newly)",
		"Newly dead (1)\n  " + deadURL,
		"http_4xx 404; failing since 2026-03-01 02:00 UTC (3 failures)",
		"used in notes/a.txt:3:5 (cited)",
		"used in notes/b.md:10:5 (cited)",
		"local copy from 2026-02-28 02:00 UTC: linkrot restore " + deadURL,
		"public archive copy from 2014-09-29: https://web.archive.example/web/20140929000000/" + deadURL,
		"Still dead (1)",
		"linkrot restore '" + nasty + "'",
		"Recovered (1)\n  https://back.example/ (now alive)",
		"http://old.example/p\n    -> https://new.example/p",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	golden(t, "full.txt", out)
}

func TestRenderMarkdown(t *testing.T) {
	t.Parallel()
	out := render(t, "md", fullReport())
	for _, want := range []string{
		"# linkrot report: run 7",
		"## Newly dead (1)",
		"| <" + deadURL + "> | http\\_4xx 404 | 2026-03-01 02:00 UTC | 3 | notes/a.txt:3:5 (cited)<br>notes/b.md:10:5 (cited) |",
		"` linkrot restore " + deadURL + " `",
		"[archive copy 2014-09-29](<https://web.archive.example/web/20140929000000/" + deadURL + ">)",
		"## Moved (1)",
		"| <http://old.example/p> | <https://new.example/p> |",
		"### notes/a.txt",
		"*Harbour \\| notes*",
		"## Hosts failing most (2)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown report lacks %q", want)
		}
	}
	// Every table row keeps its column count: nothing in a cell breaks
	// out of it.
	cols := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1))
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row with %d cells where the table has %d: %s", n, cols, line)
		}
	}
	// Outside code spans (which show their text as it is), markup from
	// a document is escaped.
	if strings.Contains(regexp.MustCompile("`[^`]*`").ReplaceAllString(out, ""), "<script>") {
		t.Error("raw <script> in the Markdown report")
	}
	golden(t, "full.md", out)
}

func TestRenderHTML(t *testing.T) {
	t.Parallel()
	out := render(t, "html", fullReport())
	for _, want := range []string{
		"<!DOCTYPE html>",
		`<table class="sortable">`,
		`id="newly-dead"`, `id="still-dead"`, `id="recovered"`, `id="moved"`, `id="suspect"`, `id="blocked"`,
		`id="repaired"`, `id="documents"`, `id="hosts"`,
		`<a href="` + deadURL + `" rel="noreferrer noopener">` + deadURL + `</a>`,
		"<code>linkrot restore " + deadURL + "</code>",
		`<a href="https://web.archive.example/web/20140929000000/` + deadURL + `" rel="noreferrer noopener">public archive copy 2014-09-29</a>`,
		"notes/a.txt:3:5",
		`class="newly"`,
		"&lt;script&gt;alert(",
		"https://new.example/p",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(out, `<script>alert`) {
		t.Error("text from a document runs as script")
	}
	// Self-contained: no element loads anything, and the only style and
	// script are inline, with the hashes the policy allows.
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<(script|img|iframe|link|object|embed|source|video|audio)[^>]*\s(src|href|data)=`),
		regexp.MustCompile(`(?i)@import|url\(`),
		regexp.MustCompile(`(?i)\sstyle=`),
	} {
		if m := bad.FindString(out); m != "" {
			t.Errorf("HTML report loads or styles something outside the page: %q", m)
		}
	}
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindStringSubmatch(out)
	if csp == nil || !strings.HasPrefix(csp[1], "default-src &#39;none&#39;") && !strings.HasPrefix(csp[1], "default-src 'none'") {
		t.Fatalf("no Content-Security-Policy that forbids loading: %v", csp)
	}
	policy := html.UnescapeString(csp[1])
	for _, el := range []string{"style", "script"} {
		m := regexp.MustCompile(`(?s)<`+el+`>(.*?)</`+el+`>`).FindAllStringSubmatch(out, -1)
		if len(m) != 1 {
			t.Fatalf("%d <%s> elements, want exactly one", len(m), el)
		}
		sum := sha256.Sum256([]byte(m[0][1]))
		hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(policy, el+"-src "+hash) {
			t.Errorf("the policy does not allow the page's own %s (%s): %s", el, hash, policy)
		}
	}
}

func TestRenderJSON(t *testing.T) {
	t.Parallel()
	out := render(t, "json", fullReport())
	validateJSON(t, []byte(out))
	var back reports.Report
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatal(err)
	}
	if want := fullReport(); !reflect.DeepEqual(back, want) {
		t.Errorf("JSON does not read back as the report:\n got %+v\nwant %+v", back, want)
	}
	if !strings.Contains(out, `"schema": "linkrot.report/v1"`) || !strings.Contains(out, "&y=") {
		t.Errorf("JSON head or escaping:\n%.300s", out)
	}
	// An empty report still has every field.
	empty := render(t, "json", reports.Report{GeneratedAt: t0})
	validateJSON(t, []byte(empty))
	if !strings.Contains(empty, `"newly_dead": []`) || !strings.Contains(empty, `"snapshot"`) == strings.Contains(empty, "null,\n      \"snapshot\"") {
		t.Errorf("empty report JSON:\n%s", empty)
	}
}

func TestRenderCSV(t *testing.T) {
	t.Parallel()
	out := render(t, "csv", fullReport())
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"url", "state", "class", "status", "document", "line", "column", "role", "first_failure", "failures", "snapshot", "archive_url"},
		{deadURL, "dead", "http_4xx", "404", "notes/a.txt", "3", "5", "cited", "2026-03-01T02:00:00Z", "3", "2026-02-28T02:00:00Z",
			"https://web.archive.example/web/20140929000000/" + deadURL},
		{deadURL, "dead", "http_4xx", "404", "notes/b.md", "10", "5", "cited", "2026-03-01T02:00:00Z", "3", "2026-02-28T02:00:00Z",
			"https://web.archive.example/web/20140929000000/" + deadURL},
		{nasty, "dead", "dns_nxdomain", "", "notes/<odd>.html", "1", "1", "source", "2026-01-23T02:00:00Z", "5", "2026-01-13T02:00:00Z", ""},
		{"https://flaky.example/x", "suspect", "timeout", "", "notes/c.txt", "2", "5", "cited", "2026-03-04T02:00:00Z", "1", "", ""},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("CSV:\n%q\nwant\n%q", rows, want)
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	t.Parallel()
	if err := reports.Render(&bytes.Buffer{}, "pdf", fullReport()); err == nil || !strings.Contains(err.Error(), "text, md, html, json, csv") {
		t.Errorf("unknown format: %v", err)
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "reports")
	r := fullReport()
	paths, err := reports.Write(dir, []string{"html", "json"}, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(dir, "report-7-20260304T020100Z.html"), filepath.Join(dir, "latest.html"),
		filepath.Join(dir, "report-7-20260304T020100Z.json"), filepath.Join(dir, "latest.json"),
	}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %q, want %q", paths, want)
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v", p, fi, err)
		}
	}
	// A later report replaces latest, keeps the dated one, leaves no
	// temporary file.
	r.GeneratedAt = r.GeneratedAt.Add(24 * time.Hour)
	r.Selection.LastRun = 8
	if _, err := reports.Write(dir, []string{"json"}, r); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !reflect.DeepEqual(names, []string{"latest.html", "latest.json", "report-7-20260304T020100Z.html",
		"report-7-20260304T020100Z.json", "report-8-20260305T020100Z.json"}) {
		t.Errorf("files = %q", names)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "latest.json")); !strings.Contains(string(b), `"last_run": 8`) {
		t.Error("latest.json was not replaced")
	}
	// An unknown format writes nothing at all.
	empty := t.TempDir()
	if _, err := reports.Write(empty, []string{"json", "pdf"}, r); err == nil {
		t.Error("Write with an unknown format succeeded")
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("files written before the error: %v", entries)
	}
}

func TestFormatOfAndRestoreCommand(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{"r.html": "html", "r.HTM": "html", "r.md": "md", "r.markdown": "md",
		"r.txt": "text", "r.json": "json", "r.csv": "csv", "r.pdf": "", "r": ""} {
		if got, ok := reports.FormatOf(name); got != want || ok != (want != "") {
			t.Errorf("FormatOf(%q) = %q, %v", name, got, ok)
		}
	}
	for url, want := range map[string]string{
		"https://a.example/x":          "linkrot restore https://a.example/x",
		"https://a.example/?a=1&b=2":   "linkrot restore 'https://a.example/?a=1&b=2'",
		"https://a.example/it's":       `linkrot restore 'https://a.example/it'\''s'`,
		"https://a.example/p;rm -rf /": "linkrot restore 'https://a.example/p;rm -rf /'",
	} {
		if got := reports.RestoreCommand(url); got != want {
			t.Errorf("RestoreCommand(%q) = %q, want %q", url, got, want)
		}
	}
}

func TestTextKeepsControlCharactersOffTheTerminal(t *testing.T) {
	t.Parallel()
	r := fullReport()
	r.NewlyDead[0].Occurrences[0].Document = "notes/\x1b[2Jevil.txt"
	r.NewlyDead[0].Error = "bad\x07"
	out := render(t, "text", r)
	if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, `notes/\x1b[2Jevil.txt:3:5`) {
		t.Errorf("control characters reached the text report:\n%q", out)
	}
}
