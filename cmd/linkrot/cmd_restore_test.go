package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/store"
)

const archivedURL = "https://news.example/2024/04/29/harbour"

var archivedPage = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Harbour Board Votes</title>
<script>track()</script></head><body><nav><a href="/">Home</a> <a href="/subscribe">Subscribe now</a></nav>
<article><h1>Harbour Board Votes</h1>
<p>The harbour board voted on Tuesday to replace the old breakwater, which has protected the fishing fleet since 1911 but was badly damaged by last winter's storms.</p>
<p>Engineers told the board that the new structure will be built from interlocking concrete blocks, each weighing twelve tonnes, and will extend forty metres further into the bay.</p>
<p>Fishermen who attended the meeting welcomed the decision, although several complained that construction will close the northern channel for most of next summer.</p>
</article><footer>Copyright The Gazette</footer></body></html>`

// archiveOne captures archivedPage for archivedURL at t into the test
// environment's archive, as `linkrot check` would.
func archiveOne(t *testing.T, e *testEnv, body string, at time.Time) archive.Snapshot {
	t.Helper()
	ctx := context.Background()
	cfg, err := e.g.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(ctx, cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.SaveDocument(ctx, store.Document{Path: "notes.md", ScannedAt: at},
		[]store.Occurrence{{URL: archivedURL, Raw: archivedURL, Line: 1, Column: 1, Role: store.RoleCited, Confidence: 1}}); err != nil {
		t.Fatal(err)
	}
	l, err := st.LinkByURL(ctx, archivedURL)
	if err != nil {
		t.Fatal(err)
	}
	arc, err := archive.New(cfg.Archive, cfg.DataDir, st, archive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer arc.Close()
	out, s, err := arc.Capture(ctx, l.ID, archive.Response{URL: archivedURL, Status: 200,
		Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, Body: []byte(body), FetchedAt: at})
	if err != nil || out != archive.Captured {
		t.Fatalf("capture: %s, %v", out, err)
	}
	return s
}

func TestRestoreCommand(t *testing.T) {
	e := newTestEnv(t)
	at := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	archiveOne(t, e, archivedPage, at)
	ctx := context.Background()

	if err := runRestore(ctx, restoreOptions{}, e.g, archivedURL); err != nil {
		t.Fatal(err)
	}
	html := e.stdout.String()
	if !strings.Contains(html, "Archived copy") || !strings.Contains(html, "interlocking concrete blocks") || strings.Contains(html, "<script") {
		t.Errorf("html copy:\n%s", html)
	}

	e.stdout.Reset()
	if err := runRestore(ctx, restoreOptions{format: "raw", at: "2024-05-02"}, e.g, archivedURL); err != nil {
		t.Fatal(err)
	}
	if e.stdout.String() != archivedPage {
		t.Error("raw copy differs")
	}
	if !strings.Contains(e.stderr.String(), "content type: text/html; charset=utf-8") {
		t.Errorf("stderr %q", e.stderr)
	}

	file := filepath.Join(e.dir, "page.txt")
	if err := runRestore(ctx, restoreOptions{format: "text", output: file}, e.g, archivedURL); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); !bytes.Contains(b, []byte("Fishermen who attended")) || bytes.Contains(b, []byte("Subscribe")) {
		t.Errorf("text file: %s", b)
	}

	dir := filepath.Join(e.dir, "copy")
	if err := runRestore(ctx, restoreOptions{output: dir, at: "2024-05-01T12:00:00+02:00"}, e.g, archivedURL); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"article.html", "article.txt", "raw.html", "capture.warc.gz", "meta.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	err := runRestore(ctx, restoreOptions{}, e.g, "https://gone.example/never-archived")
	want := "no local copy of https://gone.example/never-archived; try `linkrot restore --remote https://gone.example/never-archived`"
	if err == nil || err.Error() != want || exitCode(err) != 1 {
		t.Errorf("no copy: %v", err)
	}
	for _, o := range []restoreOptions{{format: "pdf"}, {at: "May 1st"}} {
		if err := runRestore(ctx, o, e.g, archivedURL); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestSnapshotsCommand(t *testing.T) {
	e := newTestEnv(t)
	at := time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC)
	s := archiveOne(t, e, archivedPage, at)
	ctx := context.Background()
	if err := runSnapshots(ctx, snapshotsOptions{}, e.g, archivedURL); err != nil {
		t.Fatal(err)
	}
	out := e.stdout.String()
	for _, want := range []string{at.Local().Format("2006-01-02 15:04"), " 200 ", shortHash(s.PayloadDigest), "html,text,raw,warc", "Harbour Board Votes"} {
		if !strings.Contains(out, want) {
			t.Errorf("snapshots output lacks %q:\n%s", want, out)
		}
	}
	e.stdout.Reset()
	if err := runSnapshots(ctx, snapshotsOptions{json: true}, e.g, archivedURL); err != nil {
		t.Fatal(err)
	}
	var m archive.MetaJSON
	if err := json.Unmarshal(e.stdout.Bytes(), &m); err != nil || m.ID != s.ID || m.Words != s.Words || len(m.Formats) != 4 {
		t.Errorf("json: %s (%v)", e.stdout, err)
	}
	if err := runSnapshots(ctx, snapshotsOptions{}, e.g, "https://unknown.example/"); err == nil {
		t.Error("unknown URL accepted")
	}
}

func TestVerifyCommand(t *testing.T) {
	e := newTestEnv(t)
	s := archiveOne(t, e, archivedPage, time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC))
	ctx := context.Background()
	if err := runVerify(ctx, verifyOptions{}, e.g); err != nil {
		t.Fatalf("clean archive: %v\n%s", err, e.stdout)
	}
	if !strings.Contains(e.stdout.String(), "0 problem(s)") || strings.Contains(e.stderr.String(), "problem(s)") {
		t.Errorf("summary not on stdout: stdout %q, stderr %q", e.stdout, e.stderr)
	}
	// Damage the WARC file: cut it inside the response record.
	path := filepath.Join(e.dir, "data", "warc", s.WARCFile)
	if err := os.Truncate(path, s.WARCOffset+s.WARCLength-10); err != nil {
		t.Fatal(err)
	}
	e.stdout.Reset()
	err := runVerify(ctx, verifyOptions{}, e.g)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("damaged archive: %v", err)
	}
	if out := e.stdout.String(); !strings.Contains(out, "warc/"+s.WARCFile) || !strings.Contains(out, "truncated") {
		t.Errorf("problems printed:\n%s", out)
	}
}

// TestRestoreAtTakesTheCopyBefore: --at returns the last copy captured
// before the date, not a nearer later one; with none before, the earliest
// after, said on stderr.
func TestRestoreAtTakesTheCopyBefore(t *testing.T) {
	e := newTestEnv(t)
	early := strings.Replace(archivedPage, "Tuesday", "Monday", 1)
	archiveOne(t, e, early, time.Date(2024, 5, 1, 9, 30, 0, 0, time.UTC))
	archiveOne(t, e, archivedPage, time.Date(2024, 5, 12, 9, 30, 0, 0, time.UTC))
	ctx := context.Background()

	// 2024-05-11 is nearer the later copy, but the page as it was then is
	// the earlier one.
	if err := runRestore(ctx, restoreOptions{format: "raw", at: "2024-05-11"}, e.g, archivedURL); err != nil {
		t.Fatal(err)
	}
	if e.stdout.String() != early || strings.Contains(e.stderr.String(), "warning") {
		t.Errorf("--at 2024-05-11: got the later copy, or a warning: %q", e.stderr)
	}
	e.stdout.Reset()
	e.stderr.Reset()
	if err := runRestore(ctx, restoreOptions{format: "raw", at: "2024-04-01"}, e.g, archivedURL); err != nil {
		t.Fatal(err)
	}
	if e.stdout.String() != early || !strings.Contains(e.stderr.String(), "no copy of "+archivedURL+" from before 2024-04-01 00:00:00; restored the earliest after it") {
		t.Errorf("--at 2024-04-01: stderr %q", e.stderr)
	}
}
