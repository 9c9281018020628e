package store_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// BenchmarkSaveDocument saves documents of 20 occurrences each: half of
// their URLs shared with other documents (one link, many uses), half new.
// "new" is a first scan; "unchanged" is the nightly rescan of a file that
// did not change.
func BenchmarkSaveDocument(b *testing.B) {
	occs := func(i int) []store.Occurrence {
		out := make([]store.Occurrence, 20)
		for j := range out {
			u := fmt.Sprintf("https://shared%d.example/page/%d", j, i%500)
			if j%2 == 1 {
				u = fmt.Sprintf("https://unique.example/doc/%d/link/%d", i, j)
			}
			out[j] = store.Occurrence{
				URL: u, Raw: u, Start: j * 120, End: j*120 + len(u), Line: j*3 + 1, Column: 1,
				Role: store.RoleCited, Confidence: 1, Reasons: []string{"found in text"},
			}
		}
		out[0].Role = store.RoleSource
		return out
	}
	open := func(b *testing.B) *store.SQLite {
		s, err := store.OpenSQLite(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	doc := func(i int) store.Document {
		return store.Document{Path: fmt.Sprintf("docs/%07d.txt", i), Format: "text", ScannedAt: time.Now()}
	}

	b.Run("new", func(b *testing.B) {
		s := open(b)
		i := 0
		for b.Loop() {
			if _, err := s.SaveDocument(b.Context(), doc(i), occs(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "docs/s")
	})
	b.Run("unchanged", func(b *testing.B) {
		s := open(b)
		const n = 200
		for i := range n {
			if _, err := s.SaveDocument(b.Context(), doc(i), occs(i)); err != nil {
				b.Fatal(err)
			}
		}
		i := 0
		for b.Loop() {
			if _, err := s.SaveDocument(b.Context(), doc(i%n), occs(i%n)); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "docs/s")
	})
}

// BenchmarkRecordChecks records checks in batches of 64, as a check run's
// writer does, over 10,000 links: "changes" changes every link's state
// (alive and suspect in turn), "same" keeps it (a nightly run over live
// links, which names no indexed column it does not change).
func BenchmarkRecordChecks(b *testing.B) {
	for _, same := range []bool{false, true} {
		name := "changes"
		if same {
			name = "same"
		}
		b.Run(name, func(b *testing.B) {
			s, err := store.OpenSQLite(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			const n = 10000
			for d := range n / 100 {
				occs := make([]store.Occurrence, 100)
				for j := range occs {
					u := fmt.Sprintf("https://host%d.example/page/%d", d%50, d*100+j)
					occs[j] = store.Occurrence{URL: u, Raw: u, Start: j * 100, End: j*100 + len(u), Line: j + 1, Column: 1, Role: store.RoleCited, Confidence: 1}
				}
				if _, err := s.SaveDocument(b.Context(), store.Document{Path: fmt.Sprintf("d%d.txt", d), Format: "text", ScannedAt: time.Now()}, occs); err != nil {
					b.Fatal(err)
				}
			}
			var ids []int64
			err = s.DueLinks(b.Context(), time.Now().Add(time.Hour), true, func(l store.DueLink) error { ids = append(ids, l.ID); return nil })
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			batch := func(k int) []store.CheckWrite {
				ws := make([]store.CheckWrite, 64)
				for j := range ws {
					now = now.Add(time.Millisecond)
					st := store.LinkStatus{State: store.StateAlive, LastSuccess: now}
					if !same && (k*64+j)/len(ids)%2 == 1 {
						st = store.LinkStatus{State: store.StateSuspect, ConsecutiveFailures: 1, FirstFailure: now}
					}
					ws[j] = store.CheckWrite{Check: store.CheckRecord{LinkID: ids[(k*64+j)%len(ids)], CheckedAt: now, Class: "ok", Status: 200, Method: "GET", LatencyMS: 20, Attempts: 1},
						State: &st, NextCheck: now.Add(24 * time.Hour)}
				}
				return ws
			}
			k := 0
			if same { // every link alive once before the timer
				for ; k*64 < len(ids); k++ {
					if _, err := s.RecordChecks(b.Context(), batch(k)); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			checks := 0
			for b.Loop() {
				if _, err := s.RecordChecks(b.Context(), batch(k)); err != nil {
					b.Fatal(err)
				}
				k++
				checks += 64
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(checks)*1e6, "µs/check")
		})
	}
}
