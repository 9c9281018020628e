package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/job"
)

// testEnv is a config file with its catalog in a temp dir, and buffers for output.
type testEnv struct {
	dir            string
	g              *globals
	stdout, stderr *bytes.Buffer
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: data\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &testEnv{dir: dir, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	e.g = &globals{configPath: cfg, stdin: strings.NewReader(""), stdout: e.stdout, stderr: e.stderr, getenv: func(string) string { return "" }, now: time.Now}
	return e
}

func (e *testEnv) write(t *testing.T, rel, content string) string {
	t.Helper()
	p := filepath.Join(e.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExtractJSON(t *testing.T) {
	e := newTestEnv(t)
	text := "Original url:\nhttps://news.example.com/2021/03/03/harbour-plans-new-break-\nwater-a81234\n"
	e.g.stdin = strings.NewReader(text)
	if err := runExtract(context.Background(), extractOptions{json: true, title: "Harbour Plans New Breakwater"}, e.g, "-"); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(e.stdout.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, e.stdout)
	}
	for _, field := range []string{"url", "raw", "start", "end", "line", "column", "role", "repaired", "repairs", "confidence", "alternatives", "reasons"} {
		if _, ok := got[field]; !ok {
			t.Errorf("field %q missing from %s", field, e.stdout)
		}
	}
	if got["url"] != "https://news.example.com/2021/03/03/harbour-plans-new-breakwater-a81234" || got["role"] != "source" || got["line"] != 2.0 {
		t.Errorf("got %s", e.stdout)
	}
	start, end := int(got["start"].(float64)), int(got["end"].(float64))
	if text[start:end] != got["raw"] {
		t.Errorf("offsets %d..%d do not cover raw %q", start, end, got["raw"])
	}
}

func TestExtractPlainAndErrors(t *testing.T) {
	e := newTestEnv(t)
	p := e.write(t, "a.md", "see <https://a.example.org/> and https://b.example.org/x.\n")
	if err := runExtract(context.Background(), extractOptions{}, e.g, p); err != nil {
		t.Fatal(err)
	}
	if e.stdout.String() != "https://a.example.org/\nhttps://b.example.org/x\n" {
		t.Errorf("stdout = %q", e.stdout)
	}
	bin := e.write(t, "b.bin", "\x00\x01\x02")
	if err := runExtract(context.Background(), extractOptions{}, e.g, bin); err == nil || !strings.Contains(err.Error(), "b.bin: binary") {
		t.Errorf("binary: err = %v", err)
	}
	if err := runExtract(context.Background(), extractOptions{date: "29/09/2014"}, e.g, p); err == nil || !strings.Contains(err.Error(), "--date") {
		t.Errorf("bad date: err = %v", err)
	}
	if exitCode(runExtract(context.Background(), extractOptions{}, e.g, filepath.Join(e.dir, "missing.txt"))) != exitError {
		t.Error("a missing file must exit 1")
	}
}

func TestAddThenLinks(t *testing.T) {
	e := newTestEnv(t)
	docs := e.write(t, "docs/a.txt", "Notes\n\nSource: https://origin.example.org/a\n\nsee https://c.example.org/x\n")
	e.write(t, "docs/b.md", "# B\n\n[x](https://c.example.org/x)\n")
	if err := runAdd(context.Background(), addOptions{}, e.g, []string{filepath.Dir(docs)}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.stdout.String(), "2 documents: 2 added") {
		t.Errorf("add output: %s", e.stdout)
	}
	e.stdout.Reset()
	if err := runLinks(context.Background(), linksOptions{json: true, state: "unchecked"}, e.g); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(e.stdout.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("links: %s", e.stdout)
	}
	var l linkJSON
	if err := json.Unmarshal([]byte(lines[0]), &l); err != nil {
		t.Fatal(err)
	}
	if l.URL != "https://c.example.org/x" || l.Occurrences != 2 || l.LastChecked != nil || l.State != "unchecked" {
		t.Errorf("link = %+v", l)
	}
	if !strings.Contains(lines[0], `"last_checked":null`) {
		t.Errorf("last_checked must be null before any check: %s", lines[0])
	}
	e.stdout.Reset()
	if err := runLinks(context.Background(), linksOptions{role: "source"}, e.g); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(e.stdout.String()) != "unchecked    1  https://origin.example.org/a" {
		t.Errorf("source links: %q", e.stdout)
	}
	e.stdout.Reset()
	if err := runLinks(context.Background(), linksOptions{document: filepath.Join(e.dir, "docs/b.md")}, e.g); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.stdout.String(), "https://c.example.org/x") || strings.Contains(e.stdout.String(), "origin") {
		t.Errorf("document filter: %q", e.stdout)
	}
	if err := runLinks(context.Background(), linksOptions{state: "gone"}, e.g); err == nil || !strings.Contains(err.Error(), `--state "gone"`) {
		t.Errorf("bad state: %v", err)
	}
}

func TestBrokenConfigIsOneLineError(t *testing.T) {
	e := newTestEnv(t)
	if err := os.WriteFile(e.g.configPath, []byte("crawler:\n  concurency: 4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := runLinks(context.Background(), linksOptions{}, e.g)
	if err == nil || !strings.Contains(err.Error(), "crawler.concurency") || strings.Contains(strings.TrimSpace(err.Error()), "\n") {
		t.Fatalf("err = %v", err)
	}
	if exitCode(err) != exitError {
		t.Error("config errors exit 1")
	}
}

func TestExitCodes(t *testing.T) {
	if exitCode(nil) != exitOK || exitCode(errors.New("x")) != exitError {
		t.Error("plain errors")
	}
	for _, tc := range []struct {
		err  error
		code int
	}{
		{fmt.Errorf("report: %w", job.ErrBrokenLinks), 2},
		{fmt.Errorf("run 3: %w", job.ErrNetworkDown), 3},
		{fmt.Errorf("checking: %w", context.Canceled), 130},
		{errInterrupted, 130},
		{fmt.Errorf("add: %w", job.ErrJobRunning), 1},
	} {
		if got := exitCode(tc.err); got != tc.code {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.code)
		}
	}
}

func TestRootWiring(t *testing.T) {
	e := newTestEnv(t)
	p := e.write(t, "n.txt", "see https://a.example.org/x\n")
	root := newRootCmd(e.g)
	root.SetArgs([]string{"--config", e.g.configPath, "extract", p})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.stdout.String() != "https://a.example.org/x\n" {
		t.Errorf("stdout = %q", e.stdout)
	}
	root = newRootCmd(e.g)
	root.SetArgs([]string{"extract"})
	if err := root.ExecuteContext(context.Background()); err == nil {
		t.Error("extract without a file must be a usage error")
	}
}

// TestReadOnlyCommandsOnAReadOnlyCatalog: links reads a catalog file
// whose mode forbids writing (it opens it with mode=ro, so this holds for
// root too, whom the mode would not stop).
func TestReadOnlyCommandsOnAReadOnlyCatalog(t *testing.T) {
	e := newTestEnv(t)
	docs := e.write(t, "docs/a.txt", "see https://ro.example.org/x\n")
	ctx := context.Background()
	if err := runAdd(ctx, addOptions{}, e.g, []string{docs}); err != nil {
		t.Fatal(err)
	}
	cfg, err := e.g.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(cfg.DatabasePath(), 0o444); err != nil {
		t.Fatal(err)
	}
	e.stdout.Reset()
	if err := runLinks(ctx, linksOptions{}, e.g); err != nil {
		t.Fatalf("links on a read-only catalog: %v", err)
	}
	if !strings.Contains(e.stdout.String(), "https://ro.example.org/x") {
		t.Errorf("links: %s", e.stdout)
	}
}
