package fakeweb

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Behaviour is what a URL does when it is requested. Any http.Handler will
// do; the constructors in this file build the usual ones. Each produces a
// real HTTP or TCP condition on the wire, never a hint that a client has to
// read. Behaviours that change over time (Flap, AfterHits, RetryAfter…)
// count with Hit, so one Behaviour value can serve many paths and still
// keep a separate history per URL.
type Behaviour = http.Handler

// HTML serves a 200 text/html page: title in <title> and <h1>, body (an
// HTML fragment, not escaped) inside <article>, then a list of links.
func HTML(title, body string, links ...string) Behaviour {
	page := []byte(htmlPage(title, body, links))
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		rw.Write(page)
	})
}

func htmlPage(title, body string, links []string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</title>\n</head>\n<body>\n<article>\n<h1>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</h1>\n")
	b.WriteString(body)
	b.WriteString("\n</article>\n")
	if len(links) > 0 {
		b.WriteString("<ul>\n")
		for _, l := range links {
			e := html.EscapeString(l)
			fmt.Fprintf(&b, "<li><a href=\"%s\">%s</a></li>\n", e, e)
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

// Respond serves a fixed body with code and Content-Type.
func Respond(code int, contentType, body string) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", contentType)
		rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
		rw.WriteHeader(code)
		rw.Write([]byte(body))
	})
}

// statusText includes the non-standard codes the crawler has to know.
func statusText(code int) string {
	switch code {
	case 999:
		return "Request denied"
	}
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "Status " + strconv.Itoa(code)
}

// Status serves a small HTML error page with code: 404, 410, 500, 502, 503,
// 401 (with WWW-Authenticate), 405 (with Allow), 999 (LinkedIn-style), any
// code 100–999.
func Status(code int) Behaviour {
	title := fmt.Sprintf("%d %s", code, statusText(code))
	page := htmlPage(title, "<p>"+html.EscapeString(statusText(code))+"</p>", nil)
	inner := Respond(code, "text/html; charset=utf-8", page)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch code {
		case http.StatusUnauthorized:
			rw.Header().Set("WWW-Authenticate", `Basic realm="fakeweb"`)
		case http.StatusMethodNotAllowed:
			rw.Header().Set("Allow", "GET")
		}
		inner.ServeHTTP(rw, r)
	})
}

// NotFound is Status(404), the answer for unknown and killed paths.
func NotFound() Behaviour { return notFound }

var notFound = Status(http.StatusNotFound)

// SoftNotFound is a "soft 404": 200 OK with a "Page not found" page that
// differs between paths only by echoing the requested path. Use it as a
// Site.Fallback.
func SoftNotFound() Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		host := r.Host
		if i := infoOf(r); i != nil {
			host = i.host
		}
		body := "<p>Sorry, we couldn't find <code>" + html.EscapeString(r.URL.Path) +
			"</code>. It may have been moved or deleted.</p>\n<p><a href=\"/\">Back to the home page</a></p>"
		HTML("Page not found | "+host, body).ServeHTTP(rw, r)
	})
}

// SameAs answers exactly as the same site's page at path would, without
// redirecting: SameAs("/") as a Fallback is a site that serves its home page
// for every unknown URL.
func SameAs(path string) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		i := infoOf(r)
		if i == nil || i.site == nil || i.sameAs {
			NotFound().ServeHTTP(rw, r)
			return
		}
		i.sameAs = true
		i.site.handler(path).ServeHTTP(rw, r)
	})
}

// Redirect answers with code (301, 302, 303, 307, 308) and Location set to
// location verbatim: absolute, another host, "/" or "/404" alike.
func Redirect(code int, location string) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		redirect(rw, code, location)
	})
}

func redirect(rw http.ResponseWriter, code int, location string) {
	rw.Header().Set("Location", location)
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(code)
	fmt.Fprintf(rw, "<a href=\"%s\">%s</a>\n", html.EscapeString(location), statusText(code))
}

// HTTPSOnly answers plain-HTTP requests with a 301 to the same URL over
// https and serves h over TLS, as most sites now do.
func HTTPSOnly(h Behaviour) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			host := canonicalHost(r.Host) // drop an explicit plain-HTTP port
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
			redirect(rw, http.StatusMovedPermanently, "https://"+host+r.URL.RequestURI())
			return
		}
		h.ServeHTTP(rw, r)
	})
}

// RedirectChain redirects hops times before sending the client to final:
// the path answers with a redirect to itself with ?hop=1, which redirects
// to ?hop=2, and so on; the last hop redirects to final. It keeps no state,
// so it works as a prefix route or Fallback too.
func RedirectChain(code, hops int, final string) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		k, _ := strconv.Atoi(r.URL.Query().Get("hop"))
		if k+1 >= hops {
			redirect(rw, code, final)
			return
		}
		redirect(rw, code, r.URL.Path+"?hop="+strconv.Itoa(k+1))
	})
}

// RedirectLoop redirects between the path and path?loop=1 forever, so a
// client only stops at its redirect limit.
func RedirectLoop(code int) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("loop") {
			redirect(rw, code, r.URL.Path)
			return
		}
		redirect(rw, code, r.URL.Path+"?loop=1")
	})
}

// Delay sends nothing for d, then behaves as h: response headers arrive
// after d.
func Delay(d time.Duration, h Behaviour) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !wait(r, d) {
			abort()
		}
		h.ServeHTTP(rw, r)
	})
}

// Hang never answers; the handler ends when the client gives up or the
// Web closes, and the connection is dropped without a response.
func Hang() Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-closing(r):
		}
		abort()
	})
}

// abort ends a handler that was cut short without finishing its response:
// net/http then drops the connection instead of sending the end of the
// body (or an empty 200), so a cut response never looks complete.
func abort() { panic(http.ErrAbortHandler) }

// Drip sends 200 headers at once, then chunk bytes of HTML every interval
// until total bytes are sent (total < 0: forever). With total >= 0 the
// Content-Length is announced, so the client knows what it is waiting for.
func Drip(every time.Duration, chunk int, total int64) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		stream(rw, r, total, max(chunk, 1), every)
	})
}

// Huge sends a 200 text/html body of size bytes (size < 0: endless),
// generated as it goes, never held in memory.
func Huge(size int64) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		stream(rw, r, size, 32<<10, 0)
	})
}

// stream writes total bytes of filler HTML (forever if total < 0) in chunks,
// pausing every between chunks. It aborts when a write fails, the client
// goes away or the Web closes, so no stream outlives its test and none
// ends cleanly before its time.
func stream(rw http.ResponseWriter, r *http.Request, total int64, chunk int, every time.Duration) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	if total >= 0 {
		rw.Header().Set("Content-Length", strconv.FormatInt(total, 10))
	}
	rw.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	rc := http.NewResponseController(rw)
	rc.Flush()
	buf := make([]byte, chunk)
	done := closing(r)
	for off := int64(0); total < 0 || off < total; {
		n := int64(chunk)
		if total >= 0 {
			n = min(n, total-off)
		}
		p := buf[:n]
		fillAt(p, off)
		if _, err := rw.Write(p); err != nil {
			abort()
		}
		off += n
		if every > 0 {
			if rc.Flush() != nil || !wait(r, every) {
				abort()
			}
			continue
		}
		select {
		case <-r.Context().Done():
			abort()
		case <-done:
			abort()
		default:
		}
	}
}

const (
	fillHead = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>A very large page</title>\n</head>\n<body>\n"
	fillLine = "<p>fakeweb filler: this sentence repeats for as long as the body lasts.</p>\n"
)

// fillAt fills p with the bytes at offset off of an endless HTML document:
// fillHead, then fillLine over and over.
func fillAt(p []byte, off int64) {
	for i := range p {
		pos := off + int64(i)
		if pos < int64(len(fillHead)) {
			p[i] = fillHead[pos]
			continue
		}
		p[i] = fillLine[(pos-int64(len(fillHead)))%int64(len(fillLine))]
	}
}

// Reset sends a 200 status line, headers promising 1 MiB and the first
// KiB of the body, then resets the TCP connection: the client has a
// response and gets ECONNRESET while reading the body.
func Reset() Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c, buf, err := http.NewResponseController(rw).Hijack()
		if err != nil {
			abort()
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n", 1<<20)
		if r.Method != http.MethodHead {
			p := make([]byte, 1024)
			fillAt(p, 0)
			buf.Write(p)
		}
		buf.Flush()
		// Give the client time to read the headers before the RST: Linux
		// drops unread received data when the reset arrives.
		wait(r, 250*time.Millisecond)
		resetConn(c)
	})
}

// ResetBeforeResponse reads the request and resets the connection without
// sending a byte.
func ResetBeforeResponse() Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c, _, err := http.NewResponseController(rw).Hijack()
		if err != nil {
			abort()
		}
		resetConn(c)
	})
}

// EmptyReply reads the request and closes the connection cleanly (FIN)
// without a response, curl's "Empty reply from server".
func EmptyReply() Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c, _, err := http.NewResponseController(rw).Hijack()
		if err != nil {
			abort()
		}
		c.Close()
	})
}

// RetryAfterSeconds answers the first times hits of each URL with code
// (429 or 503) and "Retry-After: seconds", then behaves as then. times < 0
// never recovers.
func RetryAfterSeconds(code, times, seconds int, then Behaviour) Behaviour {
	return retryAfter(code, times, then, func() string { return strconv.Itoa(seconds) })
}

// RetryAfterDate is RetryAfterSeconds with the HTTP-date form of
// Retry-After: the date is computed per response as now + after, rounded up
// to the next whole second (HTTP dates have no fractions).
func RetryAfterDate(code, times int, after time.Duration, then Behaviour) Behaviour {
	return retryAfter(code, times, then, func() string {
		t := time.Now().Add(after)
		if t2 := t.Truncate(time.Second); !t2.Equal(t) {
			t = t2.Add(time.Second)
		}
		return t.UTC().Format(http.TimeFormat)
	})
}

func retryAfter(code, times int, then Behaviour, value func() string) Behaviour {
	fail := Status(code)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if times >= 0 && Hit(r) > times {
			then.ServeHTTP(rw, r)
			return
		}
		rw.Header().Set("Retry-After", value())
		fail.ServeHTTP(rw, r)
	})
}

// Challenge is a Cloudflare-style bot challenge: 403 with
// "cf-mitigated: challenge" and a "Just a moment..." page.
func Challenge() Behaviour {
	body := `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>` +
		`<meta http-equiv="refresh" content="390"></head><body>` +
		`<noscript>Enable JavaScript and cookies to continue</noscript>` +
		`<div id="challenge-running">Checking if the site connection is secure</div></body></html>`
	inner := Respond(http.StatusForbidden, "text/html; charset=UTF-8", body)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("cf-mitigated", "challenge")
		h.Set("Server", "cloudflare")
		h.Set("CF-RAY", "8a1b2c3d4e5f6a7b-FRA")
		h.Set("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate")
		inner.ServeHTTP(rw, r)
	})
}

// HeadFails answers HEAD with code (405 or 404, as misconfigured servers
// do) and every other method as get.
func HeadFails(code int, get Behaviour) Behaviour {
	fail := Status(code)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			fail.ServeHTTP(rw, r)
			return
		}
		get.ServeHTTP(rw, r)
	})
}

// HeaderFlood answers 200 with n extra headers (X-Flood-1…) of size bytes
// each, to exercise the client's response-header limit.
func HeaderFlood(n, size int) Behaviour {
	value := strings.Repeat("a", size)
	page := HTML("Header flood", "<p>Look at the headers.</p>")
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		for i := 1; i <= n; i++ {
			h["X-Flood-"+strconv.Itoa(i)] = []string{value}
		}
		page.ServeHTTP(rw, r)
	})
}

// Flap alternates per URL: odd hits behave as fail, even hits as ok.
func Flap(fail, ok Behaviour) Behaviour { return Cycle(fail, ok) }

// Cycle behaves as hs[0] on a URL's first hit, hs[1] on the second, and so
// on, wrapping around.
func Cycle(hs ...Behaviour) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		i := max(Hit(r)-1, 0) % len(hs)
		hs[i].ServeHTTP(rw, r)
	})
}

// AfterHits behaves as first for a URL's first n hits and as then after:
// a page that changes, dies or comes back after n requests.
func AfterHits(n int, first, then Behaviour) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if Hit(r) <= n {
			first.ServeHTTP(rw, r)
			return
		}
		then.ServeHTTP(rw, r)
	})
}

// Changing serves a 200 page whose body and ETag differ on every hit, like a
// front page or a page with a rotating ad, so snapshots always see new
// content.
func Changing(title string) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		n := Hit(r)
		body := fmt.Sprintf("<p>Revision %d of this page.</p>\n<p>%s</p>", n, sentence(uint64(n)*2654435761+1, 24))
		rw.Header().Set("ETag", fmt.Sprintf(`"rev-%d"`, n))
		HTML(title, body).ServeHTTP(rw, r)
	})
}

// WithHeader sets a response header, then behaves as h.
func WithHeader(key, value string, h Behaviour) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set(key, value)
		h.ServeHTTP(rw, r)
	})
}
