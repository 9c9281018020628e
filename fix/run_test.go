package fix

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"

	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/pubarchive"
	"github.com/linkrot/linkrot/sources"
	"github.com/linkrot/linkrot/store"
)

const (
	mtURL     = "https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862"
	harbour   = "https://news.example.com/2021/03/03/harbour-plans-new-breakwater-a81234"
	dead2URL  = "https://dead2.example.net/page"
	dead3URL  = "https://dead3.example.net/x"
	imgURL    = "https://dead2.example.net/pic.png"
	softFixed = "https://soft.example.com/longpath"
	noScheme  = "https://www.dead4.example.org/start" // written without its scheme
)

// The documents of these tests: one per format, each with damaged URLs,
// dead links with copies, and things fix must leave alone.
var fixtures = map[string]string{
	"article.txt": `Russia Calls for Joint Effort With US to Fight Islamic State
September 29, 2014

The minister spoke on Monday (see https://alive.example.org/page for the text).
Background: ` + deadURL + `
Search: https://q.example.com/search?a=1&amp;b=2
Defanged: hxxps://dead3[.]example.net/x
Home: www.dead4.example.org/start.

Original url:
https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-stat
e-a39862
`,
	"notes.md": `---
title: Harbour Plans New Breakwater
---
# Harbour Plans New Breakwater

Read [the report](` + deadURL + `) and see
<` + dead2URL + `>. Also https://alive.example.org/page and
a wrapped one: https://news.example.com/2021/03/03/harbour-plans-new-break-
water-a81234 for details.

    Entities are fine here: [q](https://q.example.com/s?a=1&amp;b=2)

See [ref] too.

[ref]: ` + dead3URL + `
`,
	"page.html": `<!DOCTYPE html>
<html><head><title>Links</title></head>
<body>
<p>See <a href="` + deadURL + `">the story</a>.</p>
<p><a href="https://q.example.com/s?a=1&amp;b=2">query</a> and <img src="` + imgURL + `"></p>
<p>Plain: ` + dead3URL + ` here.</p>
<p><a href="https://soft.example.com/long&shy;path">soft</a></p>
</body></html>
`,
}

// fakeArchive is a CopyFinder with copies of some URLs; it counts the
// questions.
type fakeArchive struct {
	copies map[string]bool
	asked  int
}

func (f *fakeArchive) Find(_ context.Context, url string, firstSeen time.Time) (pubarchive.RemoteCopy, error) {
	f.asked++
	if !f.copies[url] {
		return pubarchive.RemoteCopy{}, pubarchive.ErrNoRemoteCopy
	}
	return pubarchive.RemoteCopy{URL: waybackCopy(url), Original: url, Time: copyTime, Status: 200, Source: "wayback"}, nil
}

type env struct {
	dir   string
	st    *store.SQLite
	arc   *fakeArchive
	paths map[string]string // by fixture name
}

// newEnv writes the fixtures, scans them into a new catalog and marks the
// dead links dead.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	e := &env{dir: t.TempDir(), paths: map[string]string{},
		arc: &fakeArchive{copies: map[string]bool{deadURL: true, mtURL: true, dead2URL: true, dead3URL: true, imgURL: true, noScheme: true}}}
	docs := filepath.Join(e.dir, "docs")
	if err := os.Mkdir(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range fixtures {
		p := filepath.Join(docs, name)
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
		e.paths[name] = p
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(e.dir, "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	if _, err := ingest.Add(ctx, st, []string{docs}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, u := range []string{deadURL, mtURL, dead2URL, dead3URL, imgURL, noScheme} {
		if _, err := st.RecordCheck(ctx, store.CheckRecord{URL: u, CheckedAt: at, Class: "http_4xx", Status: 410},
			&store.LinkStatus{State: "dead", ConsecutiveFailures: 3, FirstFailure: at.Add(-96 * time.Hour)}, at.Add(720*time.Hour)); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
	return e
}

func (e *env) run(t *testing.T, opts Options) (Stats, map[string]Result) {
	t.Helper()
	if opts.Remote == nil {
		opts.Remote = e.arc
	}
	results := map[string]Result{}
	opts.Report = func(r Result) { results[filepath.Base(r.Path)] = r }
	opts.Warn = func(path string, err error) { t.Errorf("warning: %s: %v", path, err) }
	stats, err := Run(t.Context(), e.st, []string{filepath.Join(e.dir, "docs")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", name, r.Err)
		}
	}
	return stats, results
}

// TestRunDiffShowsOnlyURLChanges: for each format, every hunk of the
// diff differs from the file only inside URL spans and the reference
// forms, the diff applied to the file gives what Apply gives, and
// nothing is written.
func TestRunDiffShowsOnlyURLChanges(t *testing.T) {
	e := newEnv(t)
	stats, results := e.run(t, Options{Diff: true})
	if stats.Documents != 3 || stats.Changed != 3 || stats.Written != 0 {
		t.Errorf("stats %+v", stats)
	}
	for name, content := range fixtures {
		r := results[name]
		if r.Diff == nil {
			t.Fatalf("%s: no diff", name)
		}
		for _, h := range splitHunks(string(r.Diff)) {
			if mo, mn := maskURLs(t, name, h.old), maskURLs(t, name, h.new); mo != mn {
				t.Errorf("%s: a hunk changes more than URLs:\n--- masked old\n%q\n--- masked new\n%q\n--- hunk\n%s%s", name, mo, mn, h.old, h.new)
			}
		}
		want, err := Apply([]byte(content), r.Changes)
		if err != nil {
			t.Fatal(err)
		}
		if got := applyUnified(t, content, string(r.Diff)); got != string(want) {
			t.Errorf("%s: diff does not apply to the planned text", name)
		}
		if now, _ := os.ReadFile(e.paths[name]); string(now) != content {
			t.Errorf("%s: written in diff mode", name)
		}
		if _, err := os.Stat(e.paths[name] + ".bak"); err == nil {
			t.Errorf("%s: backup made in diff mode", name)
		}
	}
	t.Logf("%s", results["article.txt"].Diff)
}

type hunkText struct{ old, new string }

// splitHunks returns each hunk's old side (context and removed lines) and
// new side (context and added lines).
func splitHunks(diff string) []hunkText {
	var out []hunkText
	for _, l := range splitLines(diff)[2:] {
		switch {
		case strings.HasPrefix(l, "@@"):
			out = append(out, hunkText{})
		case l == "\\ No newline at end of file\n":
		default:
			h := &out[len(out)-1]
			if l[0] != '+' {
				h.old += l[1:]
			}
			if l[0] != '-' {
				h.new += l[1:]
			}
		}
	}
	return out
}

func TestRunWriteThenIdempotent(t *testing.T) {
	e := newEnv(t)
	stats, results := e.run(t, Options{Write: true, Backup: true})
	if stats.Written != 3 || stats.Failed != 0 {
		t.Fatalf("stats %+v", stats)
	}
	for name, content := range fixtures {
		r := results[name]
		if !r.Written || r.Backup != e.paths[name]+".bak" {
			t.Errorf("%s: written %v, backup %q", name, r.Written, r.Backup)
		}
		if b, err := os.ReadFile(e.paths[name] + ".bak"); err != nil || string(b) != content {
			t.Errorf("%s: backup holds %q, %v", name, b, err)
		}
		if fi, err := os.Stat(e.paths[name]); err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v, %v", name, fi.Mode(), err)
		}
	}

	urls := func(name string) []string {
		b, err := os.ReadFile(e.paths[name])
		if err != nil {
			t.Fatal(err)
		}
		doc, err := sources.ExtractDocument(name, b, sources.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range doc.Occurrences {
			out = append(out, o.URL)
		}
		return out
	}
	has := func(name string, want ...string) {
		t.Helper()
		got := urls(name)
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("%s: %s not found in %q", name, w, got)
			}
		}
	}
	has("article.txt", mtURL, waybackCopy(mtURL), deadURL, waybackCopy(deadURL), "https://q.example.com/search?a=1&b=2")
	has("notes.md", harbour, deadURL, waybackCopy(deadURL), dead2URL, waybackCopy(dead2URL), dead3URL, waybackCopy(dead3URL))
	has("page.html", softFixed, dead3URL, waybackCopy(dead3URL))
	// The Robust Links attributes are not URLs the extractor reads; read
	// them from the tag.
	robust := anchorAttrs(t, e.paths["page.html"], deadURL)
	if robust["data-originalurl"] != deadURL || robust["data-versionurl"] != waybackCopy(deadURL) || robust["data-versiondate"] != "2014-09-01" {
		t.Errorf("Robust Links attributes: %v", robust)
	}
	article, _ := os.ReadFile(e.paths["article.txt"])
	if !strings.Contains(string(article), "Defanged: hxxps://dead3[.]example.net/x\n") {
		t.Errorf("defanged URL touched:\n%s", article)
	}
	// A URL written without a scheme keeps it so; the catalog's URL (with
	// the scheme ingest adds, and says it added) is what gets archived.
	if !strings.Contains(string(article), "Home: www.dead4.example.org/start [archived: "+waybackCopy(noScheme)+"].\n") {
		t.Errorf("scheme-less URL:\n%s", article)
	}
	schemeAdded := false
	e.st.DocumentOccurrences(t.Context(), e.paths["article.txt"], func(o store.DocOccurrence) error {
		schemeAdded = schemeAdded || o.URL == noScheme && slices.Contains(o.Repairs, repairScheme)
		return nil
	})
	if !schemeAdded {
		t.Errorf("ingest no longer marks the scheme it adds as %q", repairScheme)
	}

	// The catalog was rescanned: the documents match it, and a second run
	// finds nothing to do and asks no archive anything.
	asked := e.arc.asked
	stats, results = e.run(t, Options{Write: true, Backup: true, Diff: true})
	if stats.Changed != 0 || stats.Written != 0 || stats.Skipped != 0 {
		t.Errorf("second run: %+v", stats)
	}
	for name, r := range results {
		if r.Diff != nil {
			t.Errorf("%s: second run diff:\n%s", name, r.Diff)
		}
	}
	if e.arc.asked != asked {
		t.Errorf("second run asked the archives %d more times", e.arc.asked-asked)
	}
	if _, err := os.Stat(e.paths["notes.md"] + ".2.bak"); err == nil {
		t.Error("second run made a backup")
	}
}

// anchorAttrs returns the attributes of the <a> whose href is href.
func anchorAttrs(t *testing.T, path, href string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := xhtml.NewTokenizer(f)
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			t.Fatalf("no <a href=%q> in %s", href, path)
		case xhtml.StartTagToken:
			tok := z.Token()
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
			}
			if tok.Data == "a" && attrs["href"] == href {
				return attrs
			}
		}
	}
}

func TestRunSkipsChangedDocument(t *testing.T) {
	e := newEnv(t)
	p := e.paths["notes.md"]
	edited := fixtures["notes.md"] + "\nA line added since the scan.\n"
	if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	stats, results := e.run(t, Options{Write: true, Backup: true})
	r := results["notes.md"]
	if !strings.Contains(r.Skipped, "changed since it was scanned; run `linkrot add` first") || r.Written || r.Changes != nil {
		t.Errorf("result %+v", r)
	}
	if stats.Skipped != 1 || stats.Written != 2 {
		t.Errorf("stats %+v", stats)
	}
	if b, _ := os.ReadFile(p); string(b) != edited {
		t.Error("changed document overwritten")
	}
	if _, err := os.Stat(p + ".bak"); err == nil {
		t.Error("changed document backed up")
	}
}

func TestRunNoBackupAndArchiveModes(t *testing.T) {
	e := newEnv(t)
	// A local snapshot of one dead link; remote copies of none.
	snapAt := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	if _, err := e.st.AddSnapshot(t.Context(), store.Snapshot{LinkURL: deadURL, URL: deadURL, CapturedAt: snapAt, Status: 200}); err != nil {
		t.Fatal(err)
	}
	none := &fakeArchive{}

	// Local without a base URL: nothing to point at, and the note says why.
	_, results := e.run(t, Options{Archive: ArchiveLocal, Remote: none})
	checkNote(t, results["article.txt"].Changes, "without --local-base")
	if none.asked != 0 {
		t.Error("local mode asked the public archives")
	}

	// Both, no public copy: the local one, under the base URL.
	stats, results := e.run(t, Options{Archive: ArchiveBoth, Remote: none, LocalBase: "https://links.example.net/", Write: true})
	local := "https://links.example.net/web/20240501093000/" + deadURL
	if b, _ := os.ReadFile(e.paths["article.txt"]); !strings.Contains(string(b), deadURL+" [archived: "+local+"]") {
		t.Errorf("article:\n%s", b)
	}
	if attrs := anchorAttrs(t, e.paths["page.html"], deadURL); attrs["data-versionurl"] != local || attrs["data-versiondate"] != "2024-05-01" {
		t.Errorf("page: %v", attrs)
	}
	checkNote(t, results["notes.md"].Changes, "no copy in the public archives; no local snapshot")
	for name := range fixtures {
		if _, err := os.Stat(e.paths[name] + ".bak"); err == nil {
			t.Errorf("%s: backup written without Backup", name)
		}
	}
	if stats.Written != 3 {
		t.Errorf("stats %+v", stats)
	}
}

func TestRemoteCopyPrefersCatalog(t *testing.T) {
	r := &runner{opts: Options{Remote: &fakeArchive{copies: map[string]bool{deadURL: true}}}, copies: map[string]remoteAnswer{}}
	o := store.DocOccurrence{Occurrence: store.Occurrence{URL: deadURL},
		ArchiveURL: "https://archive.example/web/20130102030405/" + deadURL}
	c, _ := r.copyFor(t.Context(), o)
	if c == nil || c.URL != o.ArchiveURL || !c.Time.Equal(time.Date(2013, 1, 2, 3, 4, 5, 0, time.UTC)) || c.Source != "catalog" {
		t.Errorf("copy %+v", c)
	}
	if r.opts.Remote.(*fakeArchive).asked != 0 {
		t.Error("archives asked although the catalog has a copy")
	}
	failing := &runner{opts: Options{Archive: ArchiveRemote, Remote: errFinder{}}, copies: map[string]remoteAnswer{}}
	if c, why := failing.copyFor(t.Context(), store.DocOccurrence{Occurrence: store.Occurrence{URL: deadURL}}); c != nil ||
		!strings.Contains(why, "could not be asked: archive down") {
		t.Errorf("failing archive: %+v, %q", c, why)
	}
}

type errFinder struct{}

func (errFinder) Find(context.Context, string, time.Time) (pubarchive.RemoteCopy, error) {
	return pubarchive.RemoteCopy{}, errors.New("archive down")
}

func TestReplaceFile(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.txt")
	link := filepath.Join(dir, "link.txt")
	if err := os.WriteFile(real, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	bak, err := replaceFile(link, []byte("one"), []byte("two"), true)
	if err != nil || bak != real+".bak" {
		t.Fatalf("backup %q, %v", bak, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(real); string(b) != "two" {
		t.Errorf("content %q", b)
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	// A second backup does not overwrite the first.
	bak, err = replaceFile(real, []byte("two"), []byte("three"), true)
	if err != nil || bak != real+".2.bak" {
		t.Fatalf("second backup %q, %v", bak, err)
	}
	if b, _ := os.ReadFile(real + ".bak"); string(b) != "one" {
		t.Errorf("first backup now %q", b)
	}
	// Changed since it was read: refused, nothing left behind.
	if _, err := replaceFile(real, []byte("stale"), []byte("four"), true); !errors.Is(err, errChangedMeanwhile) {
		t.Errorf("stale content: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "link.txt real.txt real.txt.2.bak real.txt.bak" {
		t.Errorf("files left: %v", names)
	}
}

func TestRunMoved(t *testing.T) {
	e := newEnv(t)
	const moved = "https://alive.example.org/page"
	const to = "https://alive.example.org/new-page"
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := e.st.RecordCheck(t.Context(), store.CheckRecord{URL: moved, CheckedAt: at, Class: "redirect", Status: 200, FinalURL: to},
		&store.LinkStatus{State: "moved", MovedTo: to, LastSuccess: at}, at.Add(720*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, results := e.run(t, Options{})
	checkNote(t, results["article.txt"].Changes, "moved permanently to "+to+" (--moved updates it)")

	stats, _ := e.run(t, Options{Moved: true, Write: true})
	if stats.Moved != 2 {
		t.Errorf("stats %+v", stats)
	}
	for _, name := range []string{"article.txt", "notes.md"} {
		b, _ := os.ReadFile(e.paths[name])
		if strings.Contains(string(b), moved+" ") || !strings.Contains(string(b), to) {
			t.Errorf("%s:\n%s", name, b)
		}
	}
	stats, _ = e.run(t, Options{Moved: true, Write: true})
	if stats.Changed != 0 {
		t.Errorf("second run: %+v", stats)
	}
}

func TestMaskURLsSeesProse(t *testing.T) {
	// The checker of TestRunDiffShowsOnlyURLChanges must not be blind.
	a := maskURLs(t, "a.txt", "see https://x.example.com/a now\n")
	if a != maskURLs(t, "a.txt", "see https://x.example.com/b [archived: https://web.archive.org/web/1/x] now\n") {
		t.Error("URL-only change reported as more")
	}
	if a == maskURLs(t, "a.txt", "saw https://x.example.com/a now\n") {
		t.Error("prose change not seen")
	}
}
