package fix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/store"
)

// TestRunCitedVersion: links that still answer but drifted from (or were
// replaced since) the cited copy gain a pointer to that copy in every
// form, the live URL stays, an unchanged link is untouched, and a second
// run changes nothing.
func TestRunCitedVersion(t *testing.T) {
	ctx := t.Context()
	const (
		inline  = "https://drift.example/inline"
		auto    = "https://drift.example/auto"
		bare    = "https://drift.example/bare"
		refdef  = "https://drift.example/refdef"
		anchor  = "https://drift.example/anchor"
		plain   = "https://drift.example/plain"
		parked  = "https://parked.example/old"
		same    = "https://same.example/page"
		base    = "https://links.example.net"
		refTime = "20240301100000"
	)
	dir := t.TempDir()
	docs := filepath.Join(dir, "docs")
	files := map[string]string{
		"notes.md": "# Notes\n\nRead [the policy](" + inline + ") and <" + auto + ">.\nAlso " + bare + " today.\n" +
			"Unchanged: [same](" + same + ").\n\nSee [r].\n\n[r]: " + refdef + "\n",
		"page.html": `<!DOCTYPE html><html><head><title>P</title></head><body><p><a href="` + anchor + `">anchor</a> and <a href="` + parked + `">parked</a>.</p></body></html>` + "\n",
		"list.txt":  "Plain: " + plain + "\n",
	}
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, c := range files {
		if err := os.WriteFile(filepath.Join(docs, name), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := ingest.Add(ctx, st, []string{docs}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	captured := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	checked := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, u := range []string{inline, auto, bare, refdef, anchor, plain, parked, same} {
		ref, err := st.AddSnapshot(ctx, store.Snapshot{LinkURL: u, URL: u, CapturedAt: captured, Status: 200, ContentType: "text/html"})
		if err != nil {
			t.Fatal(err)
		}
		id, err := st.RecordCheck(ctx, store.CheckRecord{URL: u, CheckedAt: checked, Class: "ok", Status: 200},
			&store.LinkStatus{State: store.StateAlive, LastSuccess: checked}, checked.Add(7*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		d := store.Drift{CheckID: id, Comparable: true, Similarity: 0.3, Drifted: true, ReferenceSnapshotID: ref}
		switch u {
		case same:
			d.Similarity, d.Drifted = 0.95, false
		case parked:
			d = store.Drift{CheckID: id, Replaced: true, ReplacedReason: "parked", ReferenceSnapshotID: ref, Comparable: true, Similarity: 0.1}
		}
		if err := st.RecordDrift(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	run := func(opts Options) Stats {
		t.Helper()
		opts.Warn = func(path string, err error) { t.Errorf("warning: %s: %v", path, err) }
		stats, err := Run(ctx, st, []string{docs}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return stats
	}
	// Without a base URL there is nowhere to point: a note, no change.
	var notes []string
	stats := run(Options{Report: func(r Result) {
		for _, c := range r.Changes {
			notes = append(notes, c.Note)
		}
	}})
	if stats.Changed != 0 || !strings.Contains(strings.Join(notes, "\n"), "without --local-base") {
		t.Errorf("without a base: %+v, notes %q", stats, notes)
	}

	stats = run(Options{LocalBase: base, Write: true})
	if stats.Cited != 6 || stats.Written != 3 || stats.LeftAlone != 1 {
		t.Errorf("stats %+v; want 6 cited versions in 3 documents and the reference definition left alone", stats)
	}
	copyOf := func(u string) string { return base + "/web/" + refTime + "/" + u }
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(docs, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	md := read("notes.md")
	for _, want := range []string{
		"[the policy](" + inline + ") ([cited version](<" + copyOf(inline) + ">))",
		"<" + auto + "> ([cited version](<" + copyOf(auto) + ">))",
		bare + " ([cited version](<" + copyOf(bare) + ">)) today",
		"[same](" + same + ").",
		"[r]: " + refdef + "\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("notes.md lacks %q:\n%s", want, md)
		}
	}
	page := read("page.html")
	for _, want := range []string{
		`<a href="` + anchor + `" data-versionurl="` + copyOf(anchor) + `" data-versiondate="2024-03-01">`,
		`<a href="` + parked + `" data-versionurl="` + copyOf(parked) + `" data-versiondate="2024-03-01">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page.html lacks %q:\n%s", want, page)
		}
	}
	if got := read("list.txt"); got != "Plain: "+plain+" [cited version: "+copyOf(plain)+"]\n" {
		t.Errorf("list.txt: %q", got)
	}

	// A second run (the written documents were rescanned) finds its own
	// work and changes nothing.
	stats = run(Options{LocalBase: base, Write: true})
	if stats.Changed != 0 || stats.Cited != 0 {
		t.Errorf("second run: %+v", stats)
	}
	if read("notes.md") != md || read("page.html") != page {
		t.Error("the second run changed a document")
	}
}
