package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// benchLinks is the size of the catalog the query benchmarks use.
const benchLinks = 1_000_000

var (
	bigOnce sync.Once
	bigDir  string
	bigErr  error
)

// bigCatalog builds, once per test process, a catalog of benchLinks links
// on 1,000 hosts in states spread as a real one's, each used once in one
// of 1,000 documents. Rows go in by plain INSERTs in one transaction: the
// point is the queries, not the ingest path.
func bigCatalog(b *testing.B) string {
	b.Helper()
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "linkrot-bench-")
		if bigErr != nil {
			return
		}
		ctx := context.Background()
		p := filepath.Join(bigDir, "linkrot.db")
		s, err := OpenSQLite(ctx, p)
		if err != nil {
			bigErr = err
			return
		}
		defer s.Close()
		start := time.Now()
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			bigErr = err
			return
		}
		defer tx.Rollback()
		now := "2026-01-01T00:00:00.000000000Z"
		for d := range 1000 {
			if _, err := tx.Exec(`INSERT INTO documents (id, path, format, scanned_at) VALUES (?, ?, 'text', ?)`,
				d+1, fmt.Sprintf("/notes/doc-%04d.txt", d), now); err != nil {
				bigErr = err
				return
			}
		}
		insLink, err := tx.Prepare(`INSERT INTO links (id, url, host, state, first_seen, next_check) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			bigErr = err
			return
		}
		insOcc, err := tx.Prepare(`INSERT INTO occurrences (document_id, link_id, line, col, raw, role, confidence) VALUES (?, ?, ?, 1, ?, 'cited', 1)`)
		if err != nil {
			bigErr = err
			return
		}
		states := []string{"alive", "alive", "alive", "alive", "alive", "alive", "dead", "suspect", "moved", "unchecked"}
		for i := range benchLinks {
			host := fmt.Sprintf("site-%03d.example", i%1000)
			u := fmt.Sprintf("https://%s/2024/%02d/article-%07d", host, i%12+1, i)
			if _, err := insLink.Exec(i+1, u, host, states[i%len(states)], now, now); err != nil {
				bigErr = err
				return
			}
			if _, err := insOcc.Exec(i%1000+1, i+1, i/1000+1, u); err != nil {
				bigErr = err
				return
			}
		}
		bigErr = tx.Commit()
		if bigErr == nil {
			_, bigErr = s.w.Exec(`ANALYZE`)
		}
		fmt.Fprintf(os.Stderr, "built a catalog of %d links in %s\n", benchLinks, time.Since(start).Round(time.Second))
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return filepath.Join(bigDir, "linkrot.db")
}

// BenchmarkLinkQueries1M times the queries behind the UI's /links page
// and `linkrot links` on a catalog of a million links: one page (50
// rows) of each kind of filter, and a search with no match (the worst
// case: every URL is read).
func BenchmarkLinkQueries1M(b *testing.B) {
	p := bigCatalog(b)
	b.Cleanup(func() {
		// Half a gigabyte: not left in the temporary directory.
		os.RemoveAll(bigDir)
		bigOnce = sync.Once{}
	})
	ctx := context.Background()
	s, err := OpenSQLite(ctx, p)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cases := []struct {
		name   string
		f      LinkFilter
		q      string
		offset int
	}{
		{"first_page", LinkFilter{}, "", 0},
		{"page_100", LinkFilter{}, "", 99 * 50},
		{"state_dead", LinkFilter{State: "dead"}, "", 0},
		{"host", LinkFilter{Host: "site-517.example"}, "", 0},
		{"document", LinkFilter{DocumentPath: "/notes/doc-0042.txt"}, "", 0},
		{"q_common", LinkFilter{}, "article-00012", 0},
		{"q_rare", LinkFilter{}, "article-0999999", 0},
		{"q_none", LinkFilter{}, "no-such-text", 0},
		{"q_all", LinkFilter{}, "example", 0},
		{"q_short", LinkFilter{}, "zz", 0},
		{"q_and_state", LinkFilter{State: "dead"}, "site-517", 0},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				n := 0
				if err := s.LinkPage(ctx, c.f, c.q, c.offset, 50, func(Link) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
