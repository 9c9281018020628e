package crawler

import (
	"context"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
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
