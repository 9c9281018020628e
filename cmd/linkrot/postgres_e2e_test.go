package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store/postgres/pgtest"
)

// pgE2E is the real binary with LINKROT_DATABASE naming a PostgreSQL
// schema of the test's own (pgtest), against fakeweb on loopback.
type pgE2E struct {
	*e2e
	db string
}

// newPgE2E skips, saying why, when no PostgreSQL is configured.
func newPgE2E(t testing.TB, crawlerYAML string) *pgE2E {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	db := pgtest.URL(t) // skips first, before the binary is built
	// In the configuration too, so that e2e's helpers (addLinks) use it.
	return &pgE2E{e2e: newE2E(t, fmt.Sprintf("database: %q\n%s", db, crawlerYAML)), db: db}
}

func (e *pgE2E) run(args ...string) string {
	e.t.Helper()
	cmd := e.command(args...)
	cmd.Env = append(cmd.Env, "LINKROT_DATABASE="+e.db)
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("linkrot %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPostgresCatalogEndToEnd runs add, check, links, report, history,
// snapshots, verify, restore and serve through the real binary on a
// PostgreSQL catalog.
func TestPostgresCatalogEndToEnd(t *testing.T) {
	e := newPgE2E(t, "crawler:\n  retries: 0\n  robots: false\n")
	e.web.Site("alive.example").HTML("/page", "A page", "<p>Here to stay, with enough words to read.</p>")
	e.web.Site("gone.example").HTML("/", "Home", "<p>home</p>").Status("/old", 404)
	if err := os.MkdirAll(filepath.Join(e.dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	doc := "Reading list\n\nhttps://alive.example/page\nhttps://gone.example/old\n"
	if err := os.WriteFile(filepath.Join(e.dir, "docs", "list.txt"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	e.writeConfig()
	if out := e.run("add"); !strings.Contains(out, "1 added") {
		t.Fatalf("add:\n%s", out)
	}
	if out := e.run("check"); !strings.Contains(out, "run 1 ok: 2 checked") {
		t.Fatalf("check:\n%s", out)
	}
	want := []string{"alive        1  https://alive.example/page", "suspect      1  https://gone.example/old"}
	if links := e.run("links"); strings.TrimSpace(links) != strings.Join(want, "\n") {
		t.Errorf("links:\n%s\nwant:\n%s", links, strings.Join(want, "\n"))
	}
	if report := e.run("report"); !strings.Contains(report, "2 checks of 2 links: alive 1, suspect 1") ||
		!strings.Contains(report, "https://gone.example/old  http_4xx 404") {
		t.Errorf("report:\n%s", report)
	}
	if h := e.run("history", "https://gone.example/old"); !strings.Contains(h, "http_4xx") || !strings.Contains(h, "404") {
		t.Errorf("history:\n%s", h)
	}
	// The live page was archived: its snapshot is listed from PostgreSQL,
	// verified against the WARC file and restored.
	if sn := e.run("snapshots", "https://alive.example/page"); !strings.Contains(sn, "200") {
		t.Errorf("snapshots:\n%s", sn)
	}
	if v := e.run("verify"); !strings.Contains(v, "1 snapshot") {
		t.Errorf("verify:\n%s", v)
	}
	if r := e.run("restore", "https://alive.example/page"); !strings.Contains(r, "Here to stay") {
		t.Errorf("restore:\n%s", r)
	}
	// serve reads the same catalog: its health check and links page.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv, lines := e.startPg("serve", "--listen", addr)
	waitLine(t, lines, "msg=serving", 30*time.Second)
	for path, want := range map[string]string{"/healthz": "ok", "/links?state=suspect": "https://gone.example/old"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("serve %s: %d\n%.300s", path, resp.StatusCode, body)
		}
	}
	_ = srv.Process.Signal(os.Interrupt)
	waitExit(t, "serve", srv, lines, 30*time.Second)
	if _, err := os.Stat(filepath.Join(e.dir, "data", "linkrot.db")); err == nil {
		t.Error("a SQLite catalog was created although database names PostgreSQL")
	}
}
