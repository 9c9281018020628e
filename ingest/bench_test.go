package ingest

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// BenchmarkAdd ingests generated corpora of 1,000 and 10,000 documents of
// about 10 KB each (one URL per ~500 bytes) into a fresh SQLite catalog and
// reports documents per second and the peak live heap. The peak must not
// grow with the corpus: documents are streamed one at a time.
//
//	go test -run '^$' -bench BenchmarkAdd -benchtime 1x ./ingest
func BenchmarkAdd(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			corpus := filepath.Join(dir, "corpus")
			size := generateCorpus(b, corpus, n)
			b.SetBytes(size)
			b.ResetTimer()
			var peak uint64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				st, err := store.OpenSQLite(context.Background(), filepath.Join(dir, fmt.Sprintf("bench-%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				stop := sampleHeap(&peak)
				b.StartTimer()
				s, err := Add(context.Background(), st, []string{corpus}, Options{})
				b.StopTimer()
				stop()
				st.Close()
				if err != nil {
					b.Fatal(err)
				}
				if s.Added != n {
					b.Fatalf("added %d of %d", s.Added, n)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// sampleHeap records the largest live heap seen until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	var done atomic.Bool
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		for !done.Load() {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	return func() { done.Store(true); <-finished }
}

var benchWords = strings.Fields(`the harbour council said on monday that its plans for a new
breakwater would go ahead after engineers reviewed storm damage from january and the
mayor added that residents could comment until april while fishermen asked for more
moorings inside the outer wall because winter swells have grown stronger every year`)

// generateCorpus writes n documents of about 10 KB and returns their total size.
func generateCorpus(b *testing.B, dir string, n int) int64 {
	b.Helper()
	rng := rand.New(rand.NewSource(1))
	var total int64
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.Reset()
		fmt.Fprintf(&sb, "Report %d on harbour works\n\nMarch %d, 2021\n\n", i, 1+i%28)
		for sb.Len() < 10_000 {
			for w := 0; w < 80; w++ { // ~480 bytes of prose per URL
				sb.WriteString(benchWords[rng.Intn(len(benchWords))])
				if w%12 == 11 {
					sb.WriteByte('\n')
				} else {
					sb.WriteByte(' ')
				}
			}
			host := fmt.Sprintf("site%d.example.org", rng.Intn(500))
			if rng.Intn(10) == 0 { // some damage to repair
				fmt.Fprintf(&sb, "https://%s/2021/03/news/harbour-works-plan-%d-\n%d.html\n", host, rng.Intn(1000), rng.Intn(1e6))
			} else {
				fmt.Fprintf(&sb, "see https://%s/articles/%d/harbour-%d.\n", host, rng.Intn(1e6), rng.Intn(100))
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("d%03d", i%100), fmt.Sprintf("doc%05d.txt", i))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(sb.Len())
	}
	// Flush the corpus to disk now, so its writeback is not timed as ours.
	syscall.Sync()
	return total
}
