package crawler

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

func TestHeadFailureConfirmedWithGet(t *testing.T) {
	w := newWeb(t)
	site := w.Site("head.example")
	live := fakeweb.HTML("GET works", "<p>Only GET is implemented here.</p>")
	// HEAD goes first only to paths that name a download; pages are
	// fetched with GET at once (TestPagesAreFetchedWithGet).
	for _, code := range []int{404, 405, 403, 501} {
		site.Page(fmt.Sprintf("/%d.pdf", code), fakeweb.HeadFails(code, live))
	}
	// A HEAD without Content-Type is odd enough to confirm too.
	site.Page("/no-type.zip", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			rw.Header()["Content-Type"] = nil
			rw.WriteHeader(http.StatusOK)
			return
		}
		live.ServeHTTP(rw, r)
	}))
	s := newChecker(t, w, nil)
	for _, p := range []string{"/404.pdf", "/405.pdf", "/403.pdf", "/501.pdf"} {
		r := s.check(t, "http://head.example"+p)
		wantClass(t, r, ClassOK)
		wantEvidence(t, r, "HEAD "+p[1:4]+", GET 200")
		if r.Method != http.MethodGet || r.Attempts != 2 || r.Title != "GET works" {
			t.Errorf("%s: method %s, attempts %d, title %q", p, r.Method, r.Attempts, r.Title)
		}
	}
	r := s.check(t, "http://head.example/no-type.zip")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "HEAD 200, GET 200")

	// A non-HTML 2xx HEAD settles the link without a GET.
	w.Site("files.example").Page("/paper.pdf", fakeweb.PDF("Paper", "Text."))
	r = s.check(t, "https://files.example/paper.pdf")
	wantClass(t, r, ClassOK)
	if r.Method != http.MethodHead || r.Attempts != 1 || w.Hits("files.example", "/paper.pdf") != 1 {
		t.Errorf("pdf: method %s, attempts %d, hits %d", r.Method, r.Attempts, w.Hits("files.example", "/paper.pdf"))
	}

	// Without head_first only GETs are sent.
	s2 := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) { cc.HeadFirst = false })
	w.ResetHits()
	wantClass(t, s2.check(t, "http://head.example/405.pdf"), ClassOK)
	for _, rq := range requestsTo(w, "head.example") {
		if rq.Method != http.MethodGet {
			t.Errorf("head_first off sent %s %s", rq.Method, rq.Path)
		}
	}
}

func TestRetries(t *testing.T) {
	w := newWeb(t)
	site := w.Site("retry.example")
	live := fakeweb.HTML("Back", "<p>Up again after a while.</p>")
	site.Page("/flaky", fakeweb.Cycle(fakeweb.Status(503), fakeweb.Status(503), live))
	site.Page("/flaky.pdf", fakeweb.Cycle(fakeweb.Status(503), fakeweb.Status(503), live))
	site.Page("/reset-twice.pdf", fakeweb.Cycle(fakeweb.ResetBeforeResponse(), fakeweb.ResetBeforeResponse(), live))
	site.Page("/always-500", fakeweb.Status(500))
	site.Page("/501", fakeweb.Status(501))

	s := newChecker(t, w, nil)
	r := s.check(t, "http://retry.example/flaky")
	wantClass(t, r, ClassOK)
	// A page: GET at once, each 503 retried after a backoff.
	wantEvidence(t, r, "GET 503, GET 503, GET 200")
	if r.Attempts != 3 || len(s.sleeps.list()) != 2 {
		t.Errorf("attempts %d, sleeps %v", r.Attempts, s.sleeps.list())
	}
	s.sleeps.d = nil
	r = s.check(t, "http://retry.example/flaky.pdf")
	wantClass(t, r, ClassOK)
	// A download: HEAD 503 goes to a GET at once; the GET's 503 is retried.
	wantEvidence(t, r, "HEAD 503, GET 503, GET 200")
	wantEvidence(t, r, "503, retried after")
	if r.Attempts != 3 || len(s.sleeps.list()) != 1 {
		t.Errorf("attempts %d, sleeps %v", r.Attempts, s.sleeps.list())
	}

	r = s.check(t, "http://retry.example/reset-twice.pdf")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "HEAD conn_reset, retried after")

	s.sleeps.d = nil
	r = s.check(t, "http://retry.example/always-500")
	wantClass(t, r, ClassHTTP5xx)
	if r.Attempts != 1+s.cc.Retries || r.Status != 500 {
		t.Errorf("always-500: attempts %d status %d", r.Attempts, r.Status)
	}
	// Backoff grows: each wait is within [b/2, b] of base·2ⁿ.
	ds := s.sleeps.list()
	for i, d := range ds {
		b := backoffBase << i
		if d < b/2 || d > b {
			t.Errorf("backoff %d = %s, want within [%s, %s]", i, d, b/2, b)
		}
	}

	r = s.check(t, "http://retry.example/501")
	wantClass(t, r, ClassHTTP5xx)
	if r.Attempts != 1 {
		t.Errorf("501 is not retried: %d attempts", r.Attempts)
	}

	// retries: 0 means one GET.
	s0 := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) { cc.Retries = 0; cc.HeadFirst = false })
	w.ResetHits()
	wantClass(t, s0.check(t, "http://retry.example/flaky"), ClassHTTP5xx)
	if n := w.Hits("retry.example", "/flaky"); n != 1 {
		t.Errorf("retries 0: %d requests", n)
	}
}

func TestRetryAfter(t *testing.T) {
	w := newWeb(t)
	site := w.Site("throttle.example")
	live := fakeweb.HTML("Worth the wait", "<p>Thanks for waiting.</p>")
	site.Page("/seconds", fakeweb.RetryAfterSeconds(429, 1, 7, live))
	site.Page("/date", fakeweb.RetryAfterDate(503, 1, 5*time.Second, live))
	site.Page("/hour", fakeweb.RetryAfterSeconds(429, -1, 3600, live))
	site.Page("/hour-503", fakeweb.RetryAfterSeconds(503, -1, 3600, live))
	site.Page("/forever", fakeweb.RetryAfterSeconds(429, -1, 1, live))

	s := newChecker(t, w, nil)
	r := s.check(t, "http://throttle.example/seconds")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "Retry-After 7s honoured")
	if got := s.sleeps.list(); len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("sleeps %v, want [7s]", got)
	}

	s.sleeps.d = nil
	r = s.check(t, "http://throttle.example/date")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "honoured")
	if got := s.sleeps.list(); len(got) != 1 || got[0] < 3*time.Second || got[0] > 6*time.Second {
		t.Errorf("HTTP-date Retry-After: sleeps %v, want about 5s", got)
	}

	// Beyond crawler.max_retry_wait: deferred at once, nothing waited
	// for, the reason and the wait asked for recorded.
	s.sleeps.d = nil
	start := time.Now()
	r = s.check(t, "http://throttle.example/hour")
	wantClass(t, r, ClassDeferred)
	wantEvidence(t, r, "Retry-After 1h0m0s is longer than crawler.max_retry_wait 10s; deferred")
	if len(s.sleeps.list()) != 0 || r.Attempts != 1 || time.Since(start) > 2*time.Second || r.RetryAfter != time.Hour {
		t.Errorf("hour: sleeps %v, attempts %d, retry after %s", s.sleeps.list(), r.Attempts, r.RetryAfter)
	}
	if !strings.Contains(r.Err, "deferred") {
		t.Errorf("hour: err %q does not say deferred", r.Err)
	}
	r = s.check(t, "http://throttle.example/hour-503")
	wantClass(t, r, ClassDeferred)

	// The budget is configuration: 2s defers a 7s Retry-After.
	short := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) {
		cc.MaxRetryWait = config.Duration(2 * time.Second)
	})
	site.Page("/seconds-again", fakeweb.RetryAfterSeconds(429, 1, 7, live))
	r = short.check(t, "http://throttle.example/seconds-again")
	wantClass(t, r, ClassDeferred)
	if len(short.sleeps.list()) != 0 {
		t.Errorf("deferred check waited %v", short.sleeps.list())
	}

	// 429 that persists after the allowed waits is blocked.
	r = s.check(t, "http://throttle.example/forever")
	wantClass(t, r, ClassBlocked)
	if !strings.Contains(r.Err, "persisted") {
		t.Errorf("err %q", r.Err)
	}

	// With the real clock: the wait happens.
	w.Site("slow-throttle.example").Page("/", fakeweb.RetryAfterSeconds(503, 1, 1, live))
	real := newChecker(t, w, func(_ *config.Crawler, _ *config.Network, o *Options) { o.Sleep = nil })
	start = time.Now()
	r = real.check(t, "http://slow-throttle.example/")
	wantClass(t, r, ClassOK)
	if el := time.Since(start); el < time.Second {
		t.Errorf("Retry-After 1 not waited for: %s", el)
	}
}

func TestRedirects(t *testing.T) {
	w := newWeb(t)
	site := w.Site("moved.example")
	site.HTML("/", "Moved home", "<p>Home.</p>")
	site.HTML("/new", "The new place", "<p>"+strings.Repeat("Here it is now. ", 20)+"</p>")
	site.Redirect("/p1", 301, "/p2").Redirect("/p2", 308, "/new")
	site.Redirect("/t1", 301, "/t2").Redirect("/t2", 302, "/new")
	site.Redirect("/temp", 307, "/new")
	site.Page("/chain10", fakeweb.RedirectChain(302, 10, "/new"))
	site.Page("/chain11", fakeweb.RedirectChain(302, 11, "/new"))
	site.Page("/loop", fakeweb.RedirectLoop(301))
	site.Redirect("/old-article", 301, "https://moved.example/")
	site.Redirect("/gone", 302, "/errors/404.html")
	site.HTML("/errors/404.html", "Oops", "<p>Nothing here.</p>")
	site.Redirect("/dead", 302, "/not-found")
	site.Status("/not-found", 404)
	w.Site("bare.example").Page("/", fakeweb.HTTPSOnly(fakeweb.HTML("Bare", "<p>Bare home.</p>")))

	s := newChecker(t, w, nil)
	r := s.check(t, "http://moved.example/p1")
	wantClass(t, r, ClassRedirect)
	if !r.Permanent || r.FinalURL != "http://moved.example/new" || len(r.Redirects) != 2 ||
		r.Redirects[0] != (Hop{URL: "http://moved.example/p1", Status: 301}) || r.Redirects[1] != (Hop{URL: "http://moved.example/p2", Status: 308}) {
		t.Errorf("permanent chain: %+v final %s permanent %v", r.Redirects, r.FinalURL, r.Permanent)
	}
	wantEvidence(t, r, "redirects: 301 http://moved.example/p1 → 308 http://moved.example/p2 → http://moved.example/new")

	for _, p := range []string{"/t1", "/temp"} {
		r = s.check(t, "http://moved.example"+p)
		wantClass(t, r, ClassOK)
		if r.Permanent || len(r.Redirects) == 0 {
			t.Errorf("%s: permanent %v, hops %v", p, r.Permanent, r.Redirects)
		}
	}
	wantClass(t, s.check(t, "http://moved.example/chain10"), ClassOK)
	r = s.check(t, "http://moved.example/chain11")
	wantClass(t, r, ClassTooManyRedirects)
	wantEvidence(t, r, "more than 10 redirects")
	r = s.check(t, "http://moved.example/loop")
	wantClass(t, r, ClassTooManyRedirects)
	wantEvidence(t, r, "redirect loop")

	r = s.check(t, "http://moved.example/old-article")
	wantClass(t, r, ClassRedirectToRoot)
	wantEvidence(t, r, "redirected to the site root")
	r = s.check(t, "http://moved.example/gone")
	wantClass(t, r, ClassRedirectToRoot)
	wantEvidence(t, r, "not-found page")
	r = s.check(t, "http://moved.example/dead")
	wantClass(t, r, ClassHTTP4xx)

	// The root moving to https is a move of the root, not a redirect to it.
	r = s.check(t, "http://bare.example/")
	wantClass(t, r, ClassRedirect)
	if r.FinalURL != "https://bare.example/" {
		t.Errorf("final %s", r.FinalURL)
	}

	// max_redirects 0: the first redirect is too many.
	s0 := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) { cc.MaxRedirects = 0 })
	wantClass(t, s0.check(t, "http://moved.example/temp"), ClassTooManyRedirects)
}

func TestSoft404(t *testing.T) {
	w := newWeb(t)
	article := "<p>" + strings.Repeat("Foreign ministers met on Monday to discuss the river treaty and the harbor reform. ", 8) + "</p>"

	// Soft-404 page that echoes the path but whose title does not give it
	// away: only the probe comparison can tell.
	echo := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fakeweb.HTML("Example Shop", "<p>We looked everywhere for <code>"+r.URL.Path+
			"</code> but it is out of stock or never existed. Try the search box or browse our departments below.</p>"+
			"<ul><li>Garden</li><li>Kitchen</li><li>Tools and hardware</li></ul>").ServeHTTP(rw, r)
	})
	w.Site("shop.example").HTML("/", "Example Shop", "<p>Welcome.</p>").
		HTML("/garden/hoses/green-hose-20m", "Green hose, 20 m", article).
		Fallback(echo)
	w.Site("soft.example").HTML("/", "Soft home", "<p>Home.</p>").
		HTML("/news/real-story", "A real story", article).
		Fallback(fakeweb.SoftNotFound())
	w.Site("home.example").HTML("/", "Home of everything", "<p>You always land here, whatever you asked for.</p>").
		HTML("/articles/real", "A real article", article).
		Fallback(fakeweb.SameAs("/"))
	w.Site("titled.example").
		HTML("/de/artikel", "Seite nicht gefunden – Beispiel", "<p>Leider nichts.</p>").
		Page("/oops", fakeweb.Respond(200, "text/html; charset=utf-8", "<html><head><title>Welcome</title></head><body><h1>Oops! That page can’t be found.</h1><p>Try a search.</p></body></html>")).
		HTML("/404-media", "404 Media", article).
		HTML("/essay", "Why page not found errors hurt your SEO", article)
	// A JavaScript app: one shell for every path.
	shell := fakeweb.Respond(200, "text/html", `<!DOCTYPE html><html><head><title>App</title><script src="/app.js"></script></head><body><div id="root">Loading the app, please wait a moment</div></body></html>`)
	w.Site("spa.example").Page("/", shell).Fallback(shell)
	// An honest host: 404 for what does not exist.
	w.Site("honest.example").HTML("/a/b", "Page A B", article).HTML("/a/c", "Page A C", article).HTML("/a/d", "Page A D", article)

	s := newChecker(t, w, nil)
	r := s.check(t, "https://shop.example/garden/hoses/blue-hose-15m")
	wantClass(t, r, ClassSoft404)
	wantEvidence(t, r, "% similar page")
	wantClass(t, s.check(t, "https://shop.example/garden/hoses/green-hose-20m"), ClassOK)

	r = s.check(t, "https://soft.example/some/missing/page")
	wantClass(t, r, ClassSoft404)
	wantEvidence(t, r, `title says "Page not found`)
	wantClass(t, s.check(t, "https://soft.example/news/real-story"), ClassOK)

	r = s.check(t, "https://home.example/old/article")
	wantClass(t, r, ClassSoft404)
	wantEvidence(t, r, "answered 200 with 100% similar page")
	wantClass(t, s.check(t, "https://home.example/articles/real"), ClassOK)
	wantClass(t, s.check(t, "https://home.example/"), ClassOK) // the home page is not its own soft-404

	r = s.check(t, "https://titled.example/de/artikel")
	wantClass(t, r, ClassSoft404)
	wantEvidence(t, r, "Seite nicht gefunden")
	r = s.check(t, "https://titled.example/oops")
	wantClass(t, r, ClassSoft404)
	wantEvidence(t, r, "heading says")
	wantClass(t, s.check(t, "https://titled.example/404-media"), ClassOK)
	wantClass(t, s.check(t, "https://titled.example/essay"), ClassOK)

	r = s.check(t, "https://spa.example/app/route")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "not judged")

	// One probe per host and path shape; every page is one GET (its body
	// is what a soft-404 title check reads), never a HEAD first.
	w.ResetHits()
	for _, p := range []string{"/a/b", "/a/c", "/a/d"} {
		wantClass(t, s.check(t, "https://honest.example"+p), ClassOK)
	}
	var probes, gets int
	for _, rq := range requestsTo(w, "honest.example") {
		switch {
		case rq.Path == "/robots.txt":
		case rq.Path != "/a/b" && rq.Path != "/a/c" && rq.Path != "/a/d":
			probes++
			if strings.Count(rq.Path, "/") != 2 || len(rq.Path) < len("/12345678/12345678") {
				t.Errorf("probe %s is not shaped like /a/b", rq.Path)
			}
		case rq.Method == http.MethodGet:
			gets++
		}
	}
	if probes != 1 || gets != 3 {
		t.Errorf("honest host: %d probes, %d GETs; want 1 probe and one GET per page", probes, gets)
	}
}

func TestProbePath(t *testing.T) {
	for _, p := range []string{"/a", "/2014/09/29/russia-calls-for-joint-effort-a39862", "/docs/", "/index.php", "/x/y.html"} {
		q := probePath(p)
		if q == p || strings.Count(q, "/") != strings.Count(p, "/") || strings.HasSuffix(q, "/") != strings.HasSuffix(p, "/") {
			t.Errorf("probePath(%q) = %q: not the same shape", p, q)
		}
		if ext := extOf(p[strings.LastIndex(p, "/")+1:]); ext != "" && !strings.HasSuffix(q, ext) {
			t.Errorf("probePath(%q) = %q lost the extension", p, q)
		}
		u := &url.URL{Path: p}
		if probeKey(&url.URL{Scheme: "https", Host: "h", Path: q}) != probeKey(&url.URL{Scheme: "https", Host: "h", Path: u.Path}) {
			t.Errorf("probe %q has another key than %q", q, p)
		}
	}
}

func TestNotFoundTitle(t *testing.T) {
	yes := []string{"Page not found", "404 - Page Not Found | Example", "404", "Error 404 — Example News",
		"Oops! That page can’t be found.", "Seite nicht gefunden", "Page introuvable - Le Monde",
		"Página no encontrada", "Страница не найдена", "ページが見つかりません", "Not Found"}
	no := []string{"404 Media", "Why page not found errors hurt your SEO and how to fix them", "Home",
		"The 404 bus route is changing", "Found: the lost city", ""}
	for _, s := range yes {
		if !notFoundTitle(s) {
			t.Errorf("notFoundTitle(%q) = false", s)
		}
	}
	for _, s := range no {
		if notFoundTitle(s) {
			t.Errorf("notFoundTitle(%q) = true", s)
		}
	}
}

func TestRobots(t *testing.T) {
	w := newWeb(t)
	site := w.Site("robots.example").Robots("User-agent: *\nDisallow: /private/\n")
	site.HTML("/private/page", "Private", "<p>Robots may not look.</p>")
	site.HTML("/public", "Public", "<p>Anyone may look.</p>")
	// A group for linkrot by name replaces the * group for it.
	named := w.Site("named.example").Robots("User-agent: *\nDisallow: /\n\nUser-agent: LinkRot\nDisallow: /no-linkrot\n")
	named.HTML("/no-linkrot", "Not for us", "<p>Not for linkrot.</p>")
	named.HTML("/fine", "Fine for us", "<p>Only others are kept out.</p>")
	w.Site("broken-robots.example").Status("/robots.txt", 503).HTML("/page", "Page", "<p>Fine.</p>")

	s := newChecker(t, w, nil)
	for _, u := range []string{"http://robots.example/private/page", "https://named.example/no-linkrot"} {
		r := s.check(t, u)
		wantClass(t, r, ClassRobotsDisallowed)
		p := u[strings.Index(u[8:], "/")+8:]
		wantEvidence(t, r, "robots.txt disallows "+p+" for linkrot")
		if n := w.Hits(r.URL[strings.Index(u, "//")+2:strings.Index(u[8:], "/")+8], p); n != 0 {
			t.Errorf("%s fetched %d times despite robots.txt", u, n)
		}
	}
	wantClass(t, s.check(t, "http://robots.example/public"), ClassOK)
	wantClass(t, s.check(t, "https://named.example/fine"), ClassOK)
	if n := w.Hits("robots.example", "/robots.txt"); n != 1 {
		t.Errorf("robots.txt fetched %d times, want once per host", n)
	}
	r := s.check(t, "http://broken-robots.example/page")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "robots.txt unavailable (503); checked anyway")

	off := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) { cc.Robots = false })
	wantClass(t, off.check(t, "http://robots.example/private/page"), ClassOK)
}

func TestKeepBody(t *testing.T) {
	w := newWeb(t)
	w.Demo()
	s := newChecker(t, w, func(_ *config.Crawler, _ *config.Network, o *Options) { o.KeepBody = true })
	w.ResetHits()
	r := s.check(t, "https://formats.demo.test/cp1251")
	wantClass(t, r, ClassOK)
	// The bytes as sent: windows-1251, not converted to UTF-8 (colly
	// converts its own copy).
	raw := []byte{0xcd, 0xee, 0xe2, 0xee, 0xf1, 0xf2, 0xe8} // "Новости"
	if !bytes.Contains(r.Body, raw) || r.Title != "Новости дня" {
		t.Errorf("body is not the raw windows-1251 page (title %q)", r.Title)
	}
	for _, rq := range w.Requests() {
		if rq.Method == http.MethodHead {
			t.Errorf("KeepBody sent a HEAD to %s", rq.Path)
		}
	}
	r = s.check(t, "https://formats.demo.test/paper.pdf")
	if !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Errorf("pdf body %q", r.Body[:min(len(r.Body), 20)])
	}
	if r = s.check(t, "http://status.demo.test/404"); r.Body != nil {
		t.Error("a 404 body was kept")
	}
	// Bodies over max_body are not kept, and a big non-HTML file is alive.
	w.Site("big.example").Page("/video.mp4", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "video/mp4")
		rw.Write(make([]byte, 64<<10))
	}))
	small := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, o *Options) { o.KeepBody = true; cc.MaxBody = 16 << 10 })
	r = small.check(t, "http://big.example/video.mp4")
	wantClass(t, r, ClassOK)
	wantEvidence(t, r, "longer than the 16 KiB read")
	if r.Body != nil {
		t.Error("a truncated body was kept")
	}
}

func TestUserAgent(t *testing.T) {
	w := newWeb(t)
	w.Site("ua.example").HTML("/", "UA", "<p>Hi.</p>")
	old := config.Version
	config.Version = "1.2.3"
	defer func() { config.Version = old }()
	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) { cc.UserAgent = config.DefaultUserAgent })
	s.check(t, "http://ua.example/")
	reqs := requestsTo(w, "ua.example")
	if len(reqs) == 0 {
		t.Fatal("no requests")
	}
	for _, rq := range reqs {
		if rq.UserAgent != "linkrot/1.2.3 (+https://github.com/linkrot/linkrot)" {
			t.Errorf("%s %s: User-Agent %q", rq.Method, rq.Path, rq.UserAgent)
		}
	}
}

// TestOtherClasses covers the classes the demo table does not: each from a
// real condition.
func TestOtherClasses(t *testing.T) {
	w := newWeb(t)
	w.Site("odd.example").Page("/choices", fakeweb.Respond(300, "text/html", "<p>Pick one.</p>"))
	w.Site("up.example").HTML("/", "Up", "<p>Up.</p>")
	x, err := config.Exclude{Hosts: []string{"intranet.example"}, Schemes: []string{"mailto"}}.Compile()
	if err != nil {
		t.Fatal(err)
	}
	s := newChecker(t, w, func(_ *config.Crawler, _ *config.Network, o *Options) { o.Exclude = x })

	r := s.check(t, "http://odd.example/choices")
	wantClass(t, r, ClassProtocolError)
	wantEvidence(t, r, "a redirect without a usable Location")

	r = s.check(t, "https://wiki.intranet.example/page")
	wantClass(t, r, ClassExcluded)
	wantEvidence(t, r, "excluded by host intranet.example")
	wantClass(t, s.check(t, "mailto:someone@example.com"), ClassExcluded)
	r = s.check(t, "gopher://old.example/1")
	wantClass(t, r, ClassExcluded)
	wantEvidence(t, r, "scheme gopher is not checked")
	r = s.check(t, "http://%zz/")
	wantClass(t, r, ClassInvalidURL)
	if !strings.Contains(r.Err, "invalid URL") {
		t.Errorf("err %q", r.Err)
	}

	w.SetOffline(true)
	r = s.check(t, "http://up.example/")
	wantClass(t, r, ClassNetworkDown)
	w.SetOffline(false)
	wantClass(t, s.check(t, "http://up.example/"), ClassOK)
}

func TestRunCancel(t *testing.T) {
	w := newWeb(t)
	w.Site("slow.example").Fallback(fakeweb.Hang())
	s := newChecker(t, w, func(cc *config.Crawler, _ *config.Network, _ *Options) { cc.Timeout = config.Duration(time.Minute) })
	ctx, cancel := context.WithCancel(context.Background())
	in := make(chan Request)
	go func() {
		for i := 0; i < 100; i++ {
			select {
			case in <- Request{ID: int64(i), URL: fmt.Sprintf("http://slow.example/%d", i)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	done := make(chan error, 1)
	var reported atomic.Int64
	go func() { done <- s.c.Run(ctx, in, func(Request, Result) { reported.Add(1) }) }()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if n := reported.Load(); n != 0 {
		t.Errorf("%d abandoned checks were reported", n)
	}
	// Check on a cancelled context is no finding.
	r := s.c.Check(ctx, "http://slow.example/x")
	if r.Class != ClassUnknown || r.Err == "" {
		t.Errorf("cancelled Check: %s %q", r.Class, r.Err)
	}
}

// Pages are fetched with GET at once, whatever the host: a HEAD carries no
// evidence for them (the soft-404 check needs the body). Downloads keep
// their HEAD.
func TestPagesAreFetchedWithGet(t *testing.T) {
	w := newWeb(t)
	w.Site("honest.example").HTML("/n/a", "Story A", "<p>A.</p>").HTML("/n/b", "Story B", "<p>B.</p>").
		Page("/n/paper.pdf", fakeweb.PDF("Paper", "Text."))
	s := newChecker(t, w, nil)
	for _, p := range []string{"/n/a", "/n/b"} {
		r := s.check(t, "https://honest.example"+p)
		if r.Method != "GET" || r.Attempts != 1 || len(r.HTML) == 0 {
			t.Errorf("%s: method %s, attempts %d, %d bytes of HTML; want one GET with its HTML", p, r.Method, r.Attempts, len(r.HTML))
		}
	}
	r := s.check(t, "https://honest.example/n/paper.pdf")
	if r.Method != "HEAD" || r.Attempts != 1 || r.HTML != nil {
		t.Errorf("pdf: method %s, attempts %d; want one HEAD", r.Method, r.Attempts)
	}
	for _, rq := range requestsTo(w, "honest.example") {
		if rq.Method == http.MethodHead && rq.Path != "/n/paper.pdf" {
			t.Errorf("HEAD %s sent to a page", rq.Path)
		}
	}
}
