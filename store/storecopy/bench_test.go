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
	run, _ := s.BeginRun(b.Context(), t, "run")
	err = s.DueLinks(b.Context(), t, false, func(l store.DueLink) error {
		_, err := s.RecordCheck(b.Context(), store.CheckRecord{LinkID: l.ID, RunID: run, CheckedAt: t, Class: "ok", Status: 200},
			&store.LinkStatus{State: "alive", LastSuccess: t}, t.Add(24*time.Hour))
		return err
	})
	if err != nil {
		b.Fatal(err)
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

// benchDocs is the number of documents (of 100 links): 2000 unless
// LINKROT_TEST_BENCH_DOCS says otherwise, for quicker runs while profiling.
func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("LINKROT_TEST_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 2000
}
