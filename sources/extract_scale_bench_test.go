package sources

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// oneLinePage builds an HTML page of n links on one line, the shape that
// made extraction quadratic (issue 17): every link has an href and its URL
// as text, with no newline anywhere.
func oneLinePage(n int) []byte {
	var sb strings.Builder
	sb.Grow(n * 100)
	sb.WriteString("<!doctype html><html><head><title>Links</title></head><body>")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, `<a href="https://site%d.example.com/page/%d">https://site%d.example.com/page/%d</a> `, i%97, i, i%97, i)
	}
	sb.WriteString("</body></html>")
	return []byte(sb.String())
}

// oneLineText is the plain-text shape: n URLs separated by spaces.
func oneLineText(n int) []byte {
	var sb strings.Builder
	sb.Grow(n * 40)
	sb.WriteString("Source: ")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "https://site%d.example.com/page/%d ", i%97, i)
	}
	return []byte(sb.String())
}

// reportCPU adds the CPU time per MB since cpu0 (cpu-ms/MB) and the
// throughput it gives (cpu-MB/s), which a loaded machine does not distort
// the way it does wall time.
func reportCPU(b *testing.B, cpu0 time.Duration, size int) {
	used := processCPU() - cpu0
	if used <= 0 {
		return
	}
	mb := float64(size) * float64(b.N) / 1e6
	b.ReportMetric(used.Seconds()*1000/mb, "cpu-ms/MB")
	b.ReportMetric(mb/used.Seconds(), "cpu-MB/s")
}

// BenchmarkExtractOneLine checks that extraction is linear: the time per
// MB (reported as MB/s) must stay flat from 10k to 1M links.
func BenchmarkExtractOneLine(b *testing.B) {
	for _, kind := range []struct {
		name string
		page func(int) []byte
		file string
	}{{"html", oneLinePage, "page.html"}, {"text", oneLineText, "page.txt"}} {
		for _, n := range []int{10_000, 100_000, 1_000_000} {
			page := kind.page(n)
			b.Run(fmt.Sprintf("%s/links=%d", kind.name, n), func(b *testing.B) {
				b.SetBytes(int64(len(page)))
				b.ReportAllocs()
				cpu0 := processCPU()
				for b.Loop() {
					doc, err := ExtractDocument(kind.file, page, Options{})
					if err != nil || len(doc.Occurrences) < n {
						b.Fatalf("%d occurrences, err %v", len(doc.Occurrences), err)
					}
				}
				reportCPU(b, cpu0, len(page))
			})
		}
	}
}
