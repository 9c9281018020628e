// Package harness is the one test harness of the packages above the
// catalog (job, reports, web): a catalog in a temporary directory, a
// simulated web on loopback, a settable clock, and a configuration whose
// crawler reaches that web, wired as `linkrot check` wires them. It is a
// package of its own, not part of testkit, because it imports crawler and
// ingest, whose own tests use testkit.
package harness

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/internal/testkit"
	"github.com/linkrot/linkrot/store"
)

// Start is when every harness's clock starts.
var Start = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)

// Env is one test's world. Everything is closed by t.Cleanup.
type Env struct {
	T     testing.TB
	Web   *fakeweb.Web
	St    *store.SQLite
	Clock *testkit.Clock
	Dir   string
	Cfg   *config.Config
}

// New builds an Env: the default configuration with private addresses
// allowed (fakeweb is on loopback), no per-host pacing, no retries, no
// robots.txt, a 3 s timeout, and fakeweb's CA trusted.
func New(t testing.TB) *Env {
	t.Helper()
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	dir := t.TempDir()
	st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := config.Default()
	cfg.Network.AllowPrivate = true
	cfg.Crawler.PerHostInterval = 0
	cfg.Crawler.Retries = 0
	cfg.Crawler.Timeout = config.Duration(3 * time.Second)
	cfg.Crawler.Robots = false
	if cfg.Network.CAFile, err = w.CAFile(dir); err != nil {
		t.Fatal(err)
	}
	return &Env{T: t, Web: w, St: st, Dir: dir, Cfg: cfg, Clock: testkit.NewClock(Start)}
}

// Path is where document name lives.
func (e *Env) Path(name string) string { return filepath.Join(e.Dir, "docs", name) }

// Doc writes document name and ingests it at the clock's time.
func (e *Env) Doc(name, content string) string {
	e.T.Helper()
	p := e.Path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.T.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.T.Fatal(err)
	}
	if _, err := ingest.Add(context.Background(), e.St, []string{p}, ingest.Options{Now: e.Clock.Now}); err != nil {
		e.T.Fatal(err)
	}
	return p
}

// Checker is a crawler on the Env's configuration that dials fakeweb
// directly and never sleeps (backoffs and pacing return at once).
func (e *Env) Checker(keepBody bool) *crawler.Checker {
	e.T.Helper()
	c, err := crawler.New(e.Cfg.Crawler, e.Cfg.Network, crawler.Options{
		Now: e.Clock.Now, DialContext: e.Web.DialContext, KeepBody: keepBody,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		e.T.Fatal(err)
	}
	e.T.Cleanup(func() { c.Close() })
	return c
}
