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
