package storecopy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres/pgtest"
	"github.com/linkrot/linkrot/store/storecopy"
)

// BenchmarkCopy200k copies a SQLite catalog of 200,000 links (2,000
// documents of 100 links each, one check per link) into PostgreSQL and
// reports the time per copy, rows per second and the peak Go heap during
// the copy, sampled every 5 ms. Needs LINKROT_TEST_POSTGRES:
//
//	go test ./store/storecopy/ -run '^$' -bench Copy200k -benchtime 1x
func BenchmarkCopy200k(b *testing.B) {
	pgtest.BaseURL(b)
	docs, perDoc := benchDocs(), 100
	// LINKROT_TEST_BENCH_SQLITE keeps the source catalog at that path (and
	// reuses it when it exists), so `linkrot migrate-store` can be timed
	// on the same data with /usr/bin/time.
	src := os.Getenv("LINKROT_TEST_BENCH_SQLITE")
	if src == "" {
		src = filepath.Join(b.TempDir(), "linkrot.db")
	}
	_, statErr := os.Stat(src)
	s, err := store.OpenSQLite(b.Context(), src)
	if err != nil {
		b.Fatal(err)
	}
	t := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if statErr == nil {
		docs = 0 // reused: already filled
	}
	for d := range docs {
		occs := make([]store.Occurrence, perDoc)
		for i := range occs {
			u := fmt.Sprintf("https://host%d.example/articles/%d/%d", d%500, d, i)
			occs[i] = store.Occurrence{URL: u, Raw: u, Start: i * 80, End: i*80 + len(u), Line: i + 1, Column: 1,
				Role: store.RoleCited, Confidence: 1}
		}
		if _, err := s.SaveDocument(b.Context(), store.Document{Path: fmt.Sprintf("docs/%05d.md", d), ScannedAt: t}, occs); err != nil {
			b.Fatal(err)
		}
	}
	if docs > 0 {
		fillChecks(b, s, t)
	}
	s.Close()

	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst := pgtest.URL(b)
		runtime.GC()
		var peak atomic.Uint64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		})
		b.StartTimer()
		start := time.Now()
		rep, err := storecopy.Copy(b.Context(), src, dst, storecopy.Options{})
		elapsed := time.Since(start)
		b.StopTimer()
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		var rows int64
		for _, tr := range rep.Tables {
			rows += tr.SourceRows
			if tr.Table == "links" && tr.DestRows != int64(benchDocs()*perDoc) {
				b.Fatalf("links copied: %d", tr.DestRows)
			}
		}
		b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(rows), "rows")
		b.StartTimer()
	}
}

// fillChecks gives every link one check with a content verdict, and one
// link in ten a cached public-archive lookup, so that every table the copy
// knows has rows.
func fillChecks(b *testing.B, s *store.SQLite, t time.Time) {
	ctx := b.Context()
	run, err := s.BeginRun(ctx, t, "run")
	if err != nil {
		b.Fatal(err)
	}
	var due []store.DueLink
	if err := s.DueLinks(ctx, t, false, func(l store.DueLink) error { due = append(due, l); return nil }); err != nil {
		b.Fatal(err)
	}
	for start := 0; start < len(due); start += 1000 {
		batch := due[start:min(start+1000, len(due))]
		ws := make([]store.CheckWrite, len(batch))
		for i, l := range batch {
			ws[i] = store.CheckWrite{Check: store.CheckRecord{LinkID: l.ID, RunID: run, CheckedAt: t, Class: "ok", Status: 200},
				State: &store.LinkStatus{State: "alive", LastSuccess: t}, NextCheck: t.Add(24 * time.Hour)}
		}
		ids, err := s.RecordChecks(ctx, ws)
		if err != nil {
			b.Fatal(err)
		}
		ds := make([]store.Drift, len(ids))
		for i, id := range ids {
			ds[i] = store.Drift{CheckID: id}
			if i%50 == 0 {
				ds[i] = store.Drift{CheckID: id, Replaced: true, ReplacedReason: "parked", Evidence: "title: buy this domain"}
			}
		}
		if err := s.RecordDrifts(ctx, ds); err != nil {
			b.Fatal(err)
		}
		for i, l := range batch {
			if i%10 == 0 {
				err := s.RecordLookup(ctx, store.Lookup{URL: l.URL, AskedAt: t, Found: true, Source: "wayback",
					CopyURL: "https://web.archive.org/web/20240101000000/" + l.URL, CopyTime: t.AddDate(0, -2, 0)})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// benchDocs is the number of documents (of 100 links): 2000 unless
// LINKROT_TEST_BENCH_DOCS says otherwise, for quicker runs while profiling.
func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("LINKROT_TEST_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 2000
}
