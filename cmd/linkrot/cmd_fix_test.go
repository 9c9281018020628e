package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/internal/fakeweb"
)

const (
	fixGone  = "https://gone.example/2014/story"
	fixLocal = "https://news.example/2024/harbour"
)

// TestFixEndToEnd: documents are added, checked while their links live
// (linkrot keeps snapshots), checked again once the links died, and fixed:
// the link a public archive holds points at the archive's copy, the other
// at linkrot's own copy under --local-base. A second fix changes nothing.
// Every request goes to fakeweb on loopback, through network.resolve.
func TestFixEndToEnd(t *testing.T) {
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	page := "<p>The harbour board voted on Tuesday to replace the old breakwater, which has protected the fishing fleet since 1911.</p>"
	w.Site("gone.example").HTML("/2014/story", "Story", page)
	w.Site("news.example").HTML("/2024/harbour", "Harbour", page)
	w.Archive("archive.test").Add(fixGone, time.Date(2014, 1, 15, 0, 0, 0, 0, time.UTC), 200, "<html><body>"+page+"</body></html>")

	e := newTestEnv(t)
	ca, err := w.CAFile(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `data_dir: data
web:
  base_url: https://links.example.net
dead_after:
  failures: 1
  min_span: 0s
crawler:
  retries: 0
  robots: false
  per_host_interval: 0s
archive:
  enabled: true
  external:
    wayback:
      enabled: true
      availability_url: https://archive.test/wayback/available
      cdx_url: https://archive.test/cdx/search/cdx
    memento:
      enabled: false
network:
  allow_private: true
  resolve_only: true
  ca_file: %s
  resolve:
`, ca)
	for _, r := range w.Resolve() {
		fmt.Fprintf(&cfg, "    - %q\n", r)
	}
	e.write(t, "config.yaml", cfg.String())
	md := "# Harbour\n\nRead [the story](" + fixGone + ") and the\n[board minutes](" + fixLocal + ").\n"
	txt := "Source: " + fixGone + "\n"
	mdPath, txtPath := e.write(t, "docs/notes.md", md), e.write(t, "docs/a.txt", txt)
	docs := filepath.Join(e.dir, "docs")

	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	e.g.now = func() time.Time { return t0 }
	if err := runAdd(ctx, addOptions{}, e.g, []string{docs}); err != nil {
		t.Fatal(err)
	}
	if err := runCheck(ctx, checkOptions{all: true}, e.g); err != nil {
		t.Fatalf("check: %v\n%s", err, e.stderr)
	}
	w.Site("gone.example").Kill("/2014/story")
	w.Site("news.example").Kill("/2024/harbour")
	e.g.now = func() time.Time { return t0.Add(24 * time.Hour) }
	e.stdout.Reset()
	if err := runCheck(ctx, checkOptions{all: true, lookup: true}, e.g); err != nil {
		t.Fatalf("check: %v\n%s", err, e.stderr)
	}
	if !strings.Contains(e.stdout.String(), "dead 2") {
		t.Fatalf("links not dead:\n%s", e.stdout)
	}

	// The default is a diff, and nothing written.
	e.stdout.Reset()
	if err := runFix(ctx, fixOptions{archive: "both", localBase: "https://links.example.net"}, e.g, []string{docs}); err != nil {
		t.Fatalf("fix: %v\n%s", err, e.stderr)
	}
	if !strings.Contains(e.stdout.String(), "+Source: "+fixGone+" [archived: https://archive.test/web/20140115000000/"+fixGone+"]") {
		t.Errorf("diff:\n%s", e.stdout)
	}
	if b, _ := os.ReadFile(mdPath); string(b) != md {
		t.Error("written without --write")
	}

	e.stdout.Reset()
	e.stderr.Reset()
	// No --local-base: web.base_url of the configuration is the base.
	if err := runFix(ctx, fixOptions{write: true, archive: "both"}, e.g, []string{docs}); err != nil {
		t.Fatalf("fix --write: %v\n%s", err, e.stderr)
	}
	got, _ := os.ReadFile(mdPath)
	want := regexp.MustCompile(`^# Harbour\n\nRead \[the story\]\(https://archive\.test/web/20140115000000/` + regexp.QuoteMeta(fixGone) +
		`\) \(original: <` + regexp.QuoteMeta(fixGone) + `>\) and the\n\[board minutes\]\(https://links\.example\.net/web/202405\d{8}/` +
		regexp.QuoteMeta(fixLocal) + `\) \(original: <` + regexp.QuoteMeta(fixLocal) + `>\)\.\n$`)
	if !want.Match(got) {
		t.Errorf("notes.md:\n%s\nstdout:\n%s\nstderr:\n%s", got, e.stdout, e.stderr)
	}
	if b, _ := os.ReadFile(txtPath); !strings.Contains(string(b), fixGone+" [archived: https://archive.test/web/20140115000000/"+fixGone+"]") {
		t.Errorf("a.txt:\n%s", b)
	}
	if b, err := os.ReadFile(mdPath + ".bak"); err != nil || string(b) != md {
		t.Errorf("backup: %q, %v", b, err)
	}
	if !strings.Contains(e.stdout.String(), "fixed "+mdPath) {
		t.Errorf("stdout:\n%s", e.stdout)
	}

	// Fixed documents were rescanned: fix again finds nothing to change
	// and asks no archive anything.
	asked := w.HostHits("archive.test")
	e.stdout.Reset()
	e.stderr.Reset()
	if err := runFix(ctx, fixOptions{archive: "both", localBase: "https://links.example.net"}, e.g, []string{docs}); err != nil {
		t.Fatal(err)
	}
	if e.stdout.Len() != 0 || !strings.Contains(e.stderr.String(), "would change 0") {
		t.Errorf("second fix:\nstdout:\n%s\nstderr:\n%s", e.stdout, e.stderr)
	}
	if n := w.HostHits("archive.test"); n != asked {
		t.Errorf("second fix asked the archive %d more times", n-asked)
	}
}

func TestFixFlagsAndSkips(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		opts fixOptions
		want string
	}{
		{fixOptions{diff: true, write: true, archive: "both"}, "cannot be used together"},
		{fixOptions{noBackup: true, archive: "both"}, "only makes sense with --write"},
		{fixOptions{archive: "somewhere"}, "want local, remote or both"},
		{fixOptions{archive: "local", localBase: "links.example.net"}, "absolute http(s) URL"},
	} {
		if err := runFix(ctx, tc.opts, e.g, []string{e.dir}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.opts, err, tc.want)
		}
	}

	// Public archives off, no network at all: a document not in the
	// catalog, and one changed since its scan, are skipped with a warning.
	e.write(t, "config.yaml", "data_dir: data\narchive:\n  external:\n    wayback:\n      enabled: false\n    memento:\n      enabled: false\n")
	p := e.write(t, "docs/a.txt", "see https://x.example.com/a\n")
	if err := runAdd(ctx, addOptions{}, e.g, []string{p}); err != nil {
		t.Fatal(err)
	}
	e.write(t, "docs/a.txt", "see https://x.example.com/a and more\n")
	q := e.write(t, "docs/b.txt", "new https://y.example.com/\n")
	// --archive local with neither --local-base nor web.base_url: an
	// error naming the key, not a silent no-op.
	if err := runFix(ctx, fixOptions{archive: "local"}, e.g, []string{p}); err == nil ||
		!strings.Contains(err.Error(), "set web.base_url") || !strings.Contains(err.Error(), "--local-base") {
		t.Errorf("--archive local without a base: %v", err)
	}
	e.stderr.Reset()
	if err := runFix(ctx, fixOptions{write: true, archive: "both"}, e.g, []string{p, q}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"warning: " + p + ": skipped: changed since it was scanned; run `linkrot add` first",
		"warning: " + q + ": skipped: not in the catalog",
	} {
		if !strings.Contains(e.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, e.stderr)
		}
	}
}
