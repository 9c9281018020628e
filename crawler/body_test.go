package crawler

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

// TestSoft404WithoutArchive: a 200 page titled "not found" is a soft-404
// whatever KeepBody says, also on a host whose probe got an honest 404
// (where a HEAD used to settle the page without reading it).
func TestSoft404WithoutArchive(t *testing.T) {
	w := newWeb(t)
	site := w.Site("honest.example")
	var paths []string
	for i := range 20 {
		p := fmt.Sprintf("/news/story-%d", i)
		if i%4 == 0 {
			site.Page(p, fakeweb.Respond(200, "text/html", "<html><head><title>Page not found | Honest</title></head><body><p>Sorry.</p></body></html>"))
		} else {
			site.HTML(p, fmt.Sprintf("Story %d", i), "<p>A story about the harbour and the river.</p>")
		}
		paths = append(paths, p)
	}
	for _, keep := range []bool{false, true} {
		s := newChecker(t, w, func(_ *config.Crawler, _ *config.Network, o *Options) { o.KeepBody = keep })
		for i, p := range paths {
			r := s.check(t, "https://honest.example"+p)
			want := ClassOK
			if i%4 == 0 {
				want = ClassSoft404
			}
			wantClass(t, r, want)
			if len(r.HTML) == 0 || !bytes.Contains(r.HTML, []byte("<title>")) {
				t.Errorf("keep=%v %s: no HTML in the result", keep, p)
			}
		}
	}
}

// TestLargePage: a 200 larger than what is read is alive, its size noted
// and its start (decoded HTML, bounded) in the result; a soft-404 title at
// its start is still found; the archive gets no partial body.
func TestLargePage(t *testing.T) {
	w := newWeb(t)
	filler := strings.Repeat("<p>Long page about élan and café culture, paragraph after paragraph.</p>\n", 30000) // ~2.2 MB
	site := w.Site("big.example")
	site.Page("/long", fakeweb.Charset("iso-8859-1", fakeweb.InHeader, "A long read", filler))
	site.Page("/long-missing", fakeweb.Respond(200, "text/html", "<title>404 Not Found</title>"+filler))
	for _, keep := range []bool{false, true} {
		s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, o *Options) {
			o.KeepBody = keep
			cc.MaxBody = 1 << 20
		})
		r := s.check(t, "https://big.example/long")
		wantClass(t, r, ClassOK)
		wantEvidence(t, r, "longer than the")
		if r.Body != nil {
			t.Errorf("keep=%v: a partial body was kept for the archive", keep)
		}
		if len(r.HTML) == 0 || len(r.HTML) > prefixBytes || !r.HTMLTruncated || !utf8.Valid(r.HTML) {
			t.Errorf("keep=%v: HTML of %d bytes, truncated %v, valid UTF-8 %v", keep, len(r.HTML), r.HTMLTruncated, utf8.Valid(r.HTML))
		}
		if !bytes.Contains(r.HTML, []byte("café")) || r.Title != "A long read" {
			t.Errorf("keep=%v: HTML not decoded from ISO-8859-1 (title %q)", keep, r.Title)
		}
		if r.Size < 2<<20 {
			t.Errorf("keep=%v: size %d, want the announced length", keep, r.Size)
		}
		wantClass(t, s.check(t, "https://big.example/long-missing"), ClassSoft404)
	}
}

// TestMaxBuffered: many concurrent large pages kept whole for the archive
// never reserve more than crawler.max_buffered together; pages that do not
// fit are still judged (from their start) and noted as not kept, and the
// run ends (no check waits forever for bytes).
func TestMaxBuffered(t *testing.T) {
	w := newWeb(t)
	page := strings.Repeat("<p>A page of about one mebibyte, to be archived whole.</p>\n", 18000)
	site := w.Site("heavy.example")
	site.Page("/p/*", fakeweb.HTML("Heavy", page))
	site.Page("/chunked/*", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		for i := 0; i < 18; i++ { // no Content-Length: written in pieces
			rw.Write([]byte(page[i*len(page)/18 : (i+1)*len(page)/18]))
			http.NewResponseController(rw).Flush()
		}
	}))
	const capBytes = 8 << 20
	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, o *Options) {
		o.KeepBody = true
		cc.Concurrency, cc.PerHost = 64, 64
		cc.MaxBody = 2 << 20
		cc.MaxBuffered = capBytes
	})
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			n := s.c.mem.main.inUse() + s.c.mem.aux.inUse()
			if n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var urls []string
	for i := range 48 {
		urls = append(urls, fmt.Sprintf("http://heavy.example/p/%d", i), fmt.Sprintf("http://heavy.example/chunked/%d", i))
	}
	got := runAll(t, s.c, urls)
	close(stop)
	<-sampled
	kept, notKept := 0, 0
	for _, u := range urls {
		r := got[u]
		wantClass(t, r, ClassOK)
		switch {
		case r.Body != nil:
			kept++
		case hasEvidence(r, "max_buffered"):
			notKept++
		default:
			t.Errorf("%s: body neither kept nor noted\n%s", u, describe(r))
		}
	}
	if p := peak.Load(); p > capBytes {
		t.Errorf("peak reservation %d bytes, over max_buffered %d", p, capBytes)
	}
	if n := s.c.mem.main.inUse() + s.c.mem.aux.inUse(); n != 0 {
		t.Errorf("%d bytes still reserved after the run", n)
	}
	t.Logf("kept %d, not kept %d, peak reservation %d KiB", kept, notKept, peak.Load()>>10)

	// With room for them, every body is kept whole.
	roomy := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, o *Options) {
		o.KeepBody = true
		cc.Concurrency, cc.PerHost = 8, 8
		cc.MaxBody = 2 << 20
	})
	for u, r := range runAll(t, roomy.c, urls[:16]) {
		if wantClass(t, r, ClassOK); r.Body == nil {
			t.Errorf("%s: body not kept with max_buffered %s\n%s", u, roomy.cc.MaxBuffered, describe(r))
		}
	}
}
