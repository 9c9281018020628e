package fakeweb

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// GenerateSites registers nHosts synthetic sites with linksPerHost pages
// each and returns the URLs of all pages (nHosts × linksPerHost of them),
// host by host. Nothing is stored per URL: every response is computed from
// the host's number and the path, so 200,000 URLs cost a few hundred bytes
// per host. Hit counting on these sites is per host only (HostHits), for
// the same reason.
//
// Hosts are named siteNNNNN.fakeweb.test (the .test TLD never resolves for
// real), numbered on from earlier calls; even-numbered hosts are linked over
// https, odd ones over http. Pages are /p/0 … /p/N-1; each links to two
// pages of its own site and one of the next generated site. Outcomes are
// fixed by a hash of host and page, so runs are repeatable, in about these
// shares (page 0 of every site is always fine):
//
//	80%  200 HTML page
//	 8%  404 (200 soft-404 page on soft-404 hosts)
//	 2%  410
//	 4%  301 to /moved/N, which answers 200
//	 2%  302 to / (redirect to root)
//	 2%  503
//	 2%  500
//
// Every 10th host (number ≡ 3 mod 10) has a robots.txt disallowing /p/9
// (so /p/9, /p/90…/p/99, /p/900… are off limits); every 25th (≡ 7 mod 25) is
// a soft-404 site; unknown paths on the others are 404.
func (w *Web) GenerateSites(nHosts, linksPerHost int) []string {
	if nHosts <= 0 || linksPerHost <= 0 {
		return nil
	}
	w.mu.Lock()
	first := w.generated
	w.generated += nHosts
	w.mu.Unlock()

	urls := make([]string, 0, nHosts*linksPerHost)
	for k := 0; k < nHosts; k++ {
		g := &genSite{
			num:   first + k,
			pages: linksPerHost,
			next:  first + (k+1)%nHosts,
		}
		s := newSite(w, g.host(g.num))
		s.generated = true
		s.fallback = g
		w.mu.Lock()
		w.sites[s.host] = s
		w.mu.Unlock()
		prefix := g.scheme(g.num) + "://" + s.host + "/p/"
		for i := 0; i < linksPerHost; i++ {
			urls = append(urls, prefix+strconv.Itoa(i))
		}
	}
	return urls
}

// genSite computes a generated site's responses from the path alone.
type genSite struct {
	num   int // host number
	pages int // pages per host
	next  int // host number the cross-site links point to
}

func (g *genSite) host(n int) string { return fmt.Sprintf("site%05d.fakeweb.test", n) }

func (g *genSite) scheme(n int) string {
	if n%2 == 0 {
		return "https"
	}
	return "http"
}

func (g *genSite) soft() bool { return g.num%25 == 7 }

// outcome picks page i's fate from a hash, as percentiles.
func (g *genSite) outcome(i int) int {
	if i == 0 {
		return 0
	}
	return int(mix(uint64(g.num)<<32|uint64(i)) % 100)
}

func (g *genSite) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case path == "/":
		var links []string
		for i := 0; i < min(g.pages, 20); i++ {
			links = append(links, "/p/"+strconv.Itoa(i))
		}
		HTML(fmt.Sprintf("Site %05d", g.num), "<p>"+sentence(uint64(g.num), 30)+"</p>", links...).ServeHTTP(rw, r)
		return
	case path == "/robots.txt":
		txt := "User-agent: *\nDisallow:\n"
		if g.num%10 == 3 {
			txt = "User-agent: *\nDisallow: /p/9\n"
		}
		Respond(http.StatusOK, "text/plain; charset=utf-8", txt).ServeHTTP(rw, r)
		return
	}
	if rest, ok := strings.CutPrefix(path, "/moved/"); ok {
		if i, ok := g.index(rest); ok {
			g.page(rw, r, i)
			return
		}
	}
	if rest, ok := strings.CutPrefix(path, "/p/"); ok {
		if i, ok := g.index(rest); ok {
			switch o := g.outcome(i); {
			case o < 80:
				g.page(rw, r, i)
			case o < 88:
				g.missing(rw, r)
			case o < 90:
				Status(http.StatusGone).ServeHTTP(rw, r)
			case o < 94:
				redirect(rw, http.StatusMovedPermanently, "/moved/"+strconv.Itoa(i))
			case o < 96:
				redirect(rw, http.StatusFound, "/")
			case o < 98:
				Status(http.StatusServiceUnavailable).ServeHTTP(rw, r)
			default:
				Status(http.StatusInternalServerError).ServeHTTP(rw, r)
			}
			return
		}
	}
	g.missing(rw, r)
}

// index parses a page number in canonical form (no sign, no leading zeros)
// within range, so each page has exactly one URL.
func (g *genSite) index(s string) (int, bool) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= g.pages || strconv.Itoa(i) != s {
		return 0, false
	}
	return i, true
}

func (g *genSite) missing(rw http.ResponseWriter, r *http.Request) {
	if g.soft() {
		SoftNotFound().ServeHTTP(rw, r)
		return
	}
	NotFound().ServeHTTP(rw, r)
}

func (g *genSite) page(rw http.ResponseWriter, r *http.Request, i int) {
	seed := uint64(g.num)<<32 | uint64(i)
	title := fmt.Sprintf("Site %05d page %d: %s", g.num, i, sentence(seed, 4))
	var body strings.Builder
	for p := uint64(0); p < 3; p++ {
		body.WriteString("<p>" + sentence(mix(seed+p+1), 40) + "</p>\n")
	}
	links := []string{
		"/p/" + strconv.Itoa((i+1)%g.pages),
		"/p/" + strconv.Itoa((i*7+3)%g.pages),
		g.scheme(g.next) + "://" + g.host(g.next) + "/p/" + strconv.Itoa(i%g.pages),
	}
	HTML(title, body.String(), links...).ServeHTTP(rw, r)
}

// mix is SplitMix64's finaliser: a cheap, well-spread hash of a seed.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

var words = strings.Fields(`archive article border capital cabinet city council court
data deal election energy export federal forecast global government growth harbor
health history industry inquiry island justice labor leader market minister museum
nation network ocean office parliament policy port president press program railway
reform region report research river school science season senate service signal
station street summit supply system talks trade treaty union valley village water`)

// sentence returns n pseudo-random words from seed: distinct, repeatable
// text so pages differ the way real pages do (for similarity checks).
func sentence(seed uint64, n int) string {
	var b strings.Builder
	x := seed
	for i := 0; i < n; i++ {
		x = mix(x)
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[x%uint64(len(words))])
	}
	return b.String()
}
