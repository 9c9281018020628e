package archive

import (
	"fmt"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkReadableText is what a check pays to get a page's text when
// the archive did not extract it already (archiving off or the page
// unchanged): one ~30 KB news page with navigation, related links and
// comments.
func BenchmarkReadableText(b *testing.B) {
	body, u := drift30KBPage()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if pt := ReadableText(body, "text/html; charset=utf-8", u); !pt.Article {
			b.Fatal("no article")
		}
	}
	reportPerKPages(b, cpu0)
}

// BenchmarkVisibleText is the cheap reading, for links without a
// reference copy.
func BenchmarkVisibleText(b *testing.B) {
	body, _ := drift30KBPage()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if pt := VisibleText(body, "text/html; charset=utf-8"); pt.Title == "" {
			b.Fatal("no title")
		}
	}
	reportPerKPages(b, cpu0)
}

// BenchmarkVisibleWords is the token reading the replaced rules take.
func BenchmarkVisibleWords(b *testing.B) {
	body, _ := drift30KBPage()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if pt := VisibleWords(body, "text/html; charset=utf-8"); pt.Title == "" {
			b.Fatal("no title")
		}
	}
	reportPerKPages(b, cpu0)
}

func drift30KBPage() ([]byte, *url.URL) {
	var p strings.Builder
	p.WriteString(`<!doctype html><html><head><title>A long article</title><script>var a=1;</script></head><body>
<nav><a href="/">Home</a><a href="/news/">News</a><a href="/login">Sign in</a></nav><main><article><h1>A long article</h1>`)
	for i := 0; p.Len() < 26_000; i++ {
		fmt.Fprintf(&p, "<p>Paragraph %d of the article says what the council decided about the bridge, who objected, what it will cost and when the work starts, with a quote from the engineer.</p>\n", i)
	}
	p.WriteString(`</article><aside><h2>Related</h2><ul><li><a href="/a">Library opens on Sundays</a></li><li><a href="/b">Parking charges rise</a></li></ul></aside>`)
	for p.Len() < 30_000 {
		p.WriteString(`<div class="comment"><p>A reader comment that goes on for a while about the decision.</p></div>`)
	}
	p.WriteString(`</main><footer>© Example</footer></body></html>`)
	u, _ := url.Parse("https://news.example/2024/bridge")
	return []byte(p.String()), u
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
