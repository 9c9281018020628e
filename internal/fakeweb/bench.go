package fakeweb

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// BenchSite is a site for comparing link checkers on equal terms: the same
// pages under named hosts (for linkrot, through network.resolve) and under
// 127.0.0.1 (for checkers that cannot be told how to resolve a name), with
// a page listing every URL for checkers that start from a page.
type BenchSite struct {
	// URLs are the pages under the named hosts, benchNN.fakeweb.test.
	URLs []string
	// Paths are the same pages' paths, in the same order; each also
	// answers on 127.0.0.1 (the Web's HTTP address).
	Paths []string
	// Broken says, in the same order, which pages are really gone: 404,
	// 410, a soft-404 page or a 500 that never recovers. Throttled pages
	// (429 or 503 once) and redirects to a live page are alive.
	Broken []bool
	// Kinds name each page's behaviour, in the same order.
	Kinds []string
	// IndexPath lists every page on 127.0.0.1 as an absolute link.
	IndexPath string
}

// Bench page kinds, by share of pages (page 0 is always "ok").
var benchKinds = []struct {
	kind   string
	upTo   int // cumulative percent
	broken bool
}{
	{"ok", 72, false},
	{"404", 78, true},
	{"soft404", 82, true},
	{"301", 86, false},
	{"302", 88, false},
	{"429-once", 92, false},
	{"503-once", 96, false},
	{"410", 98, true},
	{"500", 100, true},
}

// BenchSite registers n bench pages spread over hosts named hosts. Each
// page's behaviour is fixed by a hash of its number, so runs compare:
// 429-once answers 429 with "Retry-After: 1" to its first request and 200
// after; 503-once answers one 503 without Retry-After, then 200. Hits
// are counted per host and path, so the named and the 127.0.0.1 copies
// throttle independently.
func (w *Web) BenchSite(n, hosts int) *BenchSite {
	hosts = max(hosts, 1)
	b := &BenchSite{IndexPath: "/all"}
	h := &benchHandler{n: n}
	for k := range hosts {
		w.Site(benchHost(k)).Page("/", h).Fallback(h)
	}
	local := w.Site("127.0.0.1").Page("/", h).Fallback(h)
	var index strings.Builder
	index.WriteString("<!DOCTYPE html><html><head><title>Every bench page</title></head><body><ul>\n")
	for i := range n {
		kind, broken := benchKind(i)
		p := "/b/" + strconv.Itoa(i)
		b.URLs = append(b.URLs, "http://"+benchHost(i%hosts)+p)
		b.Paths = append(b.Paths, p)
		b.Broken = append(b.Broken, broken)
		b.Kinds = append(b.Kinds, kind)
		fmt.Fprintf(&index, "<li><a href=\"http://%s%s\">page %d</a></li>\n", w.HTTPAddr(), p, i)
	}
	index.WriteString("</ul></body></html>\n")
	local.Page(b.IndexPath, Respond(http.StatusOK, "text/html; charset=utf-8", index.String()))
	return b
}

func benchHost(k int) string { return fmt.Sprintf("bench%02d.fakeweb.test", k) }

func benchKind(i int) (string, bool) {
	if i == 0 {
		return "ok", false
	}
	p := int(mix(uint64(i)*0x9e37+17) % 100)
	for _, k := range benchKinds {
		if p < k.upTo {
			return k.kind, k.broken
		}
	}
	return "ok", false
}

type benchHandler struct{ n int }

func (h *benchHandler) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == "/" {
		HTML("Bench home", "<p>The bench site.</p>").ServeHTTP(rw, r)
		return
	}
	if rest, ok := strings.CutPrefix(p, "/m/"); ok {
		if i, ok := h.index(rest); ok {
			h.page(rw, r, i)
			return
		}
	}
	rest, ok := strings.CutPrefix(p, "/b/")
	i, ok2 := h.index(rest)
	if !ok || !ok2 {
		NotFound().ServeHTTP(rw, r)
		return
	}
	kind, _ := benchKind(i)
	switch kind {
	case "ok":
		h.page(rw, r, i)
	case "404":
		NotFound().ServeHTTP(rw, r)
	case "soft404":
		Respond(http.StatusOK, "text/html; charset=utf-8", htmlPage("Page not found", "<p>Sorry, this page does not exist (any more).</p>", []string{"/"})).ServeHTTP(rw, r)
	case "301":
		redirect(rw, http.StatusMovedPermanently, "/m/"+rest)
	case "302":
		redirect(rw, http.StatusFound, "/m/"+rest)
	case "429-once":
		if Hit(r) <= 1 {
			rw.Header().Set("Retry-After", "1")
			Status(http.StatusTooManyRequests).ServeHTTP(rw, r)
			return
		}
		h.page(rw, r, i)
	case "503-once":
		if Hit(r) <= 1 {
			Status(http.StatusServiceUnavailable).ServeHTTP(rw, r)
			return
		}
		h.page(rw, r, i)
	case "410":
		Status(http.StatusGone).ServeHTTP(rw, r)
	default:
		Status(http.StatusInternalServerError).ServeHTTP(rw, r)
	}
}

func (h *benchHandler) index(s string) (int, bool) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= h.n || strconv.Itoa(i) != s {
		return 0, false
	}
	return i, true
}

func (h *benchHandler) page(rw http.ResponseWriter, r *http.Request, i int) {
	seed := uint64(i)<<20 | 0xbe
	var body strings.Builder
	for p := uint64(0); p < 3; p++ {
		body.WriteString("<p>" + sentence(mix(seed+p+1), 40) + "</p>\n")
	}
	HTML(fmt.Sprintf("Bench page %d: %s", i, sentence(seed, 4)), body.String()).ServeHTTP(rw, r)
}
