package crawler

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

// BenchmarkRun checks 2,000 URLs on 20 simulated hosts that answer after
// 20 ms, with the default politeness settings except per_host_interval
// (250 ms would make it a benchmark of the pacing: 2,000 URLs / 20 hosts ×
// 2 requests × 250 ms ≈ 50 s). It reports checks per second.
func BenchmarkRun(b *testing.B) {
	w := newWeb(b)
	w.SetLogLimit(0)
	w.SetLatency(20 * time.Millisecond)
	const hosts, perHost = 20, 100
	byHost := w.GenerateSites(hosts, perHost)
	// Interleave hosts, as a store ordering by due time would.
	urls := make([]string, 0, len(byHost))
	for i := 0; i < perHost; i++ {
		for h := 0; h < hosts; h++ {
			urls = append(urls, byHost[h*perHost+i])
		}
	}
	classes := map[Class]int{}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		s := newChecker(b, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
			cc.Timeout = config.Duration(10 * time.Second)
		})
		in := make(chan Request)
		go func() {
			for j, u := range urls {
				in <- Request{ID: int64(j), URL: u}
			}
			close(in)
		}()
		if err := s.c.Run(context.Background(), in, func(_ Request, r Result) { classes[r.Class]++ }); err != nil {
			b.Fatal(err)
		}
		s.c.Close()
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*len(urls))/time.Since(start).Seconds(), "checks/s")
	b.Logf("classes over %d runs: %v", b.N, classes)
}

// BenchmarkLargePages checks 128 pages of 8 MiB each, 64 at a time, with
// bodies kept for the archive (max_body 10 MiB), under the default
// crawler.max_buffered of 256 MiB and under 64 MiB. It reports the peak Go
// heap in use (sampled every 2 ms) and how many bodies were kept whole;
// without the cap 64 × 8 MiB would be held at once (and more while
// buffers grow).
//
//	go test -run '^$' -bench LargePages -benchtime 1x ./crawler
func BenchmarkLargePages(b *testing.B) {
	for _, capMiB := range []int{256, 64} {
		b.Run(fmt.Sprintf("max_buffered=%dMiB", capMiB), func(b *testing.B) {
			w := newWeb(b)
			w.SetLogLimit(0)
			w.Site("large.example").Page("/p/*", fakeweb.Huge(8<<20))
			var urls []string
			for i := range 128 {
				urls = append(urls, fmt.Sprintf("http://large.example/p/%d", i))
			}
			for i := 0; i < b.N; i++ {
				s := newChecker(b, w, func(cc *config.Crawler, _ *config.Network, o *Options) {
					o.KeepBody = true
					cc.Concurrency, cc.PerHost = 64, 64
					cc.MaxBody = 10 << 20
					cc.MaxBuffered = config.ByteSize(capMiB) << 20
					cc.Timeout = config.Duration(time.Minute)
				})
				runtime.GC()
				var peak atomic.Uint64
				stop, done := make(chan struct{}), make(chan struct{})
				go func() {
					defer close(done)
					var ms runtime.MemStats
					for {
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peak.Load() {
							peak.Store(ms.HeapInuse)
						}
						select {
						case <-stop:
							return
						case <-time.After(2 * time.Millisecond):
						}
					}
				}()
				kept := 0
				in := make(chan Request)
				go func() {
					for j, u := range urls {
						in <- Request{ID: int64(j), URL: u}
					}
					close(in)
				}()
				if err := s.c.Run(context.Background(), in, func(_ Request, r Result) {
					if r.Body != nil {
						kept++
					}
				}); err != nil {
					b.Fatal(err)
				}
				close(stop)
				<-done
				s.c.Close()
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(kept), "bodies-kept")
			}
		})
	}
}
