package fakeweb

import (
	"net/http"
	"strconv"
	"time"
)

// Case is one URL of the Demo preset and what a careful checker should make
// of it. Want is a check class from the design (ok, redirect, http_4xx,
// soft_404, dns_nxdomain, …) for a single check that follows redirects,
// honours Retry-After once and retries nothing else; Note says why or what
// else is acceptable.
type Case struct {
	URL  string
	Want string
	Note string
}

// MoscowTimesURL is the motivating example from the design: the repaired
// URL of a scraped article whose source link had been split by a line wrap.
const MoscowTimesURL = "https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862"

// Demo registers one site per failure kind, plus a public archive at
// web.archive.org, and returns a URL for each. It is what cmd/fakeweb -demo
// serves, and a ready-made table for crawler tests. Slow cases take their
// time on purpose (tens of seconds), so give the client short timeouts.
func (w *Web) Demo() []Case {
	var cases []Case
	add := func(url, want, note string) { cases = append(cases, Case{url, want, note}) }

	ok := w.Site("ok.demo.test")
	ok.HTML("/", "Demo home", "<p>A healthy site.</p>", "/article", "https://www.themoscowtimes.com/")
	ok.HTML("/article", "A healthy article", "<p>"+sentence(1, 60)+"</p>")
	add("http://ok.demo.test/", "ok", "")
	add("https://ok.demo.test/article", "ok", "")

	mt := w.Site("www.themoscowtimes.com")
	mt.HTML("/", "The Moscow Times", "<p>Independent news from Russia.</p>", MoscowTimesURL)
	mt.HTML("/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862",
		"Russia Calls for Joint Effort With U.S. to Fight Islamic State",
		"<p>Foreign Minister Sergei Lavrov called for a joint effort with the United States to fight Islamic State.</p>")
	add(MoscowTimesURL, "ok", "the repaired URL from the design's example")
	add("https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-stat", "http_4xx", "the broken (line-wrapped) URL: 404")

	st := w.Site("status.demo.test")
	for _, c := range []struct {
		code int
		want string
	}{{404, "http_4xx"}, {410, "http_4xx"}, {500, "http_5xx"}, {502, "http_5xx"}, {503, "http_5xx"}, {401, "blocked"}, {999, "blocked"}} {
		p := "/" + strconv.Itoa(c.code)
		st.Status(p, c.code)
		add("http://status.demo.test"+p, c.want, "")
	}
	st.Page("/challenge", Challenge())
	add("https://status.demo.test/challenge", "blocked", "Cloudflare-style 403 with cf-mitigated: challenge")
	st.Status("/403", http.StatusForbidden)
	add("http://status.demo.test/403", "blocked", "plain 403")

	w.Site("soft404.demo.test").HTML("/", "Soft home", "<p>Everything exists here, apparently.</p>").Fallback(SoftNotFound())
	add("https://soft404.demo.test/some/missing/page", "soft_404", "200 with a not-found page that echoes the path")
	w.Site("homepage.demo.test").HTML("/", "Home of everything", "<p>You always land here.</p>").Fallback(SameAs("/"))
	add("https://homepage.demo.test/old/article", "soft_404", "200 with the home page for every unknown path")

	rd := w.Site("redirect.demo.test")
	rd.HTML("/404", "Not here", "<p>This page does not exist.</p>")
	rd.HTML("/", "Redirect demo", "<p>Home.</p>")
	for _, code := range []int{301, 302, 307, 308} {
		p := "/" + strconv.Itoa(code)
		rd.Redirect(p, code, "https://ok.demo.test/article")
		note := "temporary redirect to a live page"
		if code == 301 || code == 308 {
			note = "permanent redirect to another host: the link has moved (state moved)"
		}
		add("http://redirect.demo.test"+p, "redirect", note)
	}
	rd.Page("/chain", RedirectChain(http.StatusFound, 5, "https://ok.demo.test/article"))
	add("http://redirect.demo.test/chain", "redirect", "5 hops, then a live page")
	rd.Page("/long-chain", RedirectChain(http.StatusFound, 30, "https://ok.demo.test/article"))
	add("http://redirect.demo.test/long-chain", "too_many_redirects", "30 hops")
	rd.Page("/loop", RedirectLoop(http.StatusFound))
	add("http://redirect.demo.test/loop", "too_many_redirects", "loops between /loop and /loop?loop=1")
	rd.Redirect("/to-root", http.StatusFound, "/")
	add("http://redirect.demo.test/to-root", "redirect_to_root", "")
	rd.Redirect("/to-404", http.StatusFound, "/404")
	add("http://redirect.demo.test/to-404", "soft_404", "redirects to a /404 page that answers 200")
	rd.Page("/secure", HTTPSOnly(HTML("Secure page", "<p>Only over TLS.</p>")))
	add("http://redirect.demo.test/secure", "redirect", "301 from http to https on the same URL: not a move worth reporting")

	slow := w.Site("slow.demo.test")
	slow.Page("/headers-after-30s", Delay(30*time.Second, HTML("Finally", "<p>Sorry for the wait.</p>")))
	add("http://slow.demo.test/headers-after-30s", "timeout", "headers after 30 s")
	slow.Page("/drip", Drip(time.Second, 16, -1))
	add("http://slow.demo.test/drip", "timeout", "16 bytes a second, forever: needs a whole-request deadline")
	slow.Page("/hang", Hang())
	add("http://slow.demo.test/hang", "timeout", "never answers")

	br := w.Site("broken.demo.test")
	br.Page("/reset", Reset())
	add("http://broken.demo.test/reset", "conn_reset", "RST after headers and 1 KiB of body")
	br.Page("/reset-early", ResetBeforeResponse())
	add("https://broken.demo.test/reset-early", "conn_reset", "RST before any response byte")
	br.Page("/empty", EmptyReply())
	add("http://broken.demo.test/empty", "conn_reset", "connection closed without a response (EOF)")

	th := w.Site("throttle.demo.test")
	live := HTML("Worth the wait", "<p>Thanks for waiting.</p>")
	th.Page("/429-seconds", RetryAfterSeconds(http.StatusTooManyRequests, 1, 2, live))
	add("http://throttle.demo.test/429-seconds", "ok", "429 with Retry-After: 2 on the first hit, then 200")
	th.Page("/429-date", RetryAfterDate(http.StatusTooManyRequests, 1, 2*time.Second, live))
	add("http://throttle.demo.test/429-date", "ok", "429 with an HTTP-date Retry-After on the first hit, then 200")
	th.Page("/429-forever", RetryAfterSeconds(http.StatusTooManyRequests, -1, 1, live))
	add("http://throttle.demo.test/429-forever", "blocked", "429 that never recovers")
	th.Page("/429-hour", RetryAfterSeconds(http.StatusTooManyRequests, -1, 3600, live))
	add("http://throttle.demo.test/429-hour", "deferred", "429 with Retry-After: 3600, longer than any run waits")
	th.Page("/503-retry", RetryAfterSeconds(http.StatusServiceUnavailable, 1, 1, live))
	add("http://throttle.demo.test/503-retry", "ok", "503 with Retry-After: 1 on the first hit, then 200")

	hd := w.Site("head.demo.test")
	hd.Page("/head-405", HeadFails(http.StatusMethodNotAllowed, HTML("GET works", "<p>Only GET.</p>")))
	add("http://head.demo.test/head-405", "ok", "HEAD gives 405, GET gives 200")
	hd.Page("/head-404", HeadFails(http.StatusNotFound, HTML("GET works", "<p>Only GET.</p>")))
	add("http://head.demo.test/head-404", "ok", "HEAD gives 404, GET gives 200")

	big := w.Site("huge.demo.test")
	big.Page("/gzip-bomb", GzipBomb(10<<30))
	add("http://huge.demo.test/gzip-bomb", "ok", "10 GiB of zeros in about 10 MiB of gzip: a 200, judged from its start")
	big.Page("/1gib", Huge(1<<30))
	add("http://huge.demo.test/1gib", "ok", "1 GiB body, streamed: a 200, judged from its start")
	big.Page("/endless", Huge(-1))
	add("http://huge.demo.test/endless", "ok", "endless chunked body: a 200, judged from its start")
	big.Page("/header-flood", HeaderFlood(2000, 8000))
	add("http://huge.demo.test/header-flood", "too_large", "16 MB of response headers, over any sane client limit (Go's default is 10 MB)")

	ft := w.Site("formats.demo.test")
	ft.Page("/paper.pdf", PDF("A paper about link rot", "Links decay.\nArchive them."))
	add("https://formats.demo.test/paper.pdf", "ok", "application/pdf")
	ft.Page("/cp1251", Charset("windows-1251", InHeader|InMeta, "Новости дня", "<p>Россия призвала к совместным усилиям.</p>"))
	add("https://formats.demo.test/cp1251", "ok", "windows-1251, declared in header and meta")
	ft.Page("/latin1", Charset("iso-8859-1", InMeta, "Café société", "<p>Déjà vu à la carte.</p>"))
	add("https://formats.demo.test/latin1", "ok", "ISO-8859-1, declared only in meta")

	fl := w.Site("flap.demo.test")
	fl.Page("/flap", Flap(Status(http.StatusServiceUnavailable), HTML("Up again", "<p>Sometimes.</p>")))
	add("http://flap.demo.test/flap", "http_5xx", "odd hits 503, even hits 200: must never be confirmed dead")
	fl.Page("/changing", Changing("Front page"))
	add("http://flap.demo.test/changing", "ok", "new content on every hit")
	fl.Page("/dies", AfterHits(2, HTML("Alive for now", "<p>Enjoy it.</p>"), Status(http.StatusNotFound)))
	add("http://flap.demo.test/dies", "ok", "200 for two hits, 404 afterwards")

	rb := w.Site("robots.demo.test")
	rb.Robots("User-agent: *\nDisallow: /private/\n")
	rb.HTML("/private/page", "Private", "<p>Robots may not look.</p>")
	add("http://robots.demo.test/private/page", "robots_disallowed", "")

	ph := w.Site("protocol.demo.test")
	for path, c := range map[string]struct{ reply, note string }{
		"/bad-status-line": {BadStatusLine, "status code that is not a number"},
		"/no-status-line":  {NoStatusLine, "headers without a status line"},
		"/http09":          {HTTP09, "an HTTP/0.9 answer: the document, no status line"},
		"/garbage":         {Garbage, "bytes that are not HTTP"},
		"/bad-code":        {BadStatusCode, "a five-digit status code"},
	} {
		ph.Page(path, Raw(c.reply))
		add("http://protocol.demo.test"+path, "protocol_error", c.note)
	}
	ph.HTML("/", "Fine on port 80", "<p>Only the port is wrong.</p>")
	add("http://protocol.demo.test:99999/", "protocol_error", "port out of range")

	w.Site("down.demo.test").Down()
	add("http://down.demo.test/", "conn_reset", "every connection reset")
	w.Site("refused.demo.test").Refuse()
	add("https://refused.demo.test/", "conn_refused", "")
	w.Site("blackhole.demo.test").Blackhole()
	add("https://blackhole.demo.test/", "timeout", "accepts, never answers, not even TLS")
	add("https://nxdomain.demo.test/", "dns_nxdomain", "never registered")
	w.Site("servfail.demo.test").DNSFail()
	add("https://servfail.demo.test/", "dns_error", "temporary resolution failure")

	for host, f := range map[string]TLSFault{
		"tls-expired.demo.test":   TLSExpired,
		"tls-untrusted.demo.test": TLSUntrusted,
		"tls-wrongname.demo.test": TLSWrongName,
	} {
		w.Site(host).TLS(f).HTML("/", "TLS trouble", "<p>Look at the certificate.</p>")
	}
	add("https://tls-expired.demo.test/", "tls_error", "certificate expired yesterday")
	add("https://tls-untrusted.demo.test/", "tls_error", "signed by an unknown CA")
	add("https://tls-wrongname.demo.test/", "tls_error", "certificate for another name")

	gone := w.Site("gone.demo.test")
	gone.Status("/story", http.StatusGone)
	add("https://gone.demo.test/story", "http_4xx", "410, with copies at web.archive.org")
	ar := w.Archive("web.archive.org")
	story := htmlPage("A story that vanished", "<p>"+sentence(7, 80)+"</p>", nil)
	ar.Add("https://gone.demo.test/story", time.Date(2012, 3, 4, 5, 6, 7, 0, time.UTC), http.StatusOK, story)
	ar.Add("https://gone.demo.test/story", time.Date(2016, 1, 2, 3, 4, 5, 0, time.UTC), http.StatusOK, story)
	ar.Add("https://gone.demo.test/story", time.Date(2021, 6, 7, 8, 9, 10, 0, time.UTC), http.StatusNotFound, "<html><body>Not found</body></html>")
	ar.Add(MoscowTimesURL, time.Date(2014, 9, 29, 18, 0, 0, 0, time.UTC), http.StatusOK,
		htmlPage("Russia Calls for Joint Effort With U.S. to Fight Islamic State", "<p>Archived copy.</p>", nil))
	add("https://web.archive.org/wayback/available?url=gone.demo.test/story&timestamp=2015", "ok", "Wayback availability API")
	add("https://web.archive.org/cdx/search/cdx?url=gone.demo.test/story&output=json", "ok", "CDX API")
	add("https://web.archive.org/timemap/link/https://gone.demo.test/story", "ok", "Memento TimeMap")
	return cases
}
