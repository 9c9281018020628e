package drift

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pageOf builds a readable text of about size bytes from the corpus
// articles, as a long article would read.
func pageOf(b *testing.B, size int) string {
	b.Helper()
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	var s strings.Builder
	for s.Len() < size {
		for _, f := range files {
			t, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			s.Write(t)
			s.WriteString("\n")
			if s.Len() >= size {
				break
			}
		}
	}
	return s.String()
}

// BenchmarkJudge is the cost a check adds to an alive HTML page: both
// fingerprints and the replaced rules, on a light edit (the common case).
// ms/1k-pages is the figure docs/benchmarks.md quotes.
func BenchmarkJudge(b *testing.B) {
	for _, size := range []int{10_000, 30_000} {
		ref := pageOf(b, size)
		cur := addComments(changeCounters(changeDates(ref)))
		p := Page{CitedURL: "https://x.example/a/b", FinalURL: "https://x.example/a/b", Title: "A title", Text: cur, RefText: ref}
		b.Run(fmt.Sprintf("%dKB", size/1000), func(b *testing.B) {
			b.SetBytes(int64(len(ref) + len(cur)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if v := Judge(p, Options{}); v.Drifted || v.Replaced {
					b.Fatalf("light edit judged %+v", v)
				}
			}
			reportPerKPages(b, cpu0)
		})
	}
}

// BenchmarkChanged is the report's cost for one drifted link.
func BenchmarkChanged(b *testing.B) {
	ref := pageOf(b, 20_000)
	cur := keepShare(ref, 0.5)
	b.ReportAllocs()
	for b.Loop() {
		Changed(ref, cur, 0)
	}
}

// BenchmarkSideBySide is the UI's cost for one diff page.
func BenchmarkSideBySide(b *testing.B) {
	ref := pageOf(b, 20_000)
	cur := rewordSentence(addParagraph(keepShare(ref, 0.7)))
	b.ReportAllocs()
	for b.Loop() {
		SideBySide(ref, cur, 0)
	}
}

// cpuTime is the process's CPU time (user and system, all threads): on a
// machine shared with other jobs, wall time per operation says more about
// the neighbours than about the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPerKPages reports the CPU milliseconds per 1,000 operations since
// cpu0, the figure docs/benchmarks.md quotes.
func reportPerKPages(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-ms/1k-pages")
}
