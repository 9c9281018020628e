package crawler

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// decide makes the requests for one link and fills in the verdict.
//
// Evidence before verdict, without requests that carry none: a page is
// fetched with GET at once, because its body is what settles it (soft-404
// title and text, challenge markers, a probe comparison) and a HEAD first
// would only double the requests. With head_first, a link whose path names
// a download (.pdf, .zip, images, audio, video, archives, office files) is
// asked with HEAD, and only a plain success settles it (2xx with a non-HTML
// type, not redirected away). Everything else a HEAD answers (405, 404,
// 403, 501, 5xx, a missing Content-Type, HTML after all…) is confirmed with
// a GET. Only failures no GET could change (NXDOMAIN, refused, TLS, private
// address) end at the HEAD.
//
// GETs are retried with exponential backoff and jitter after timeouts,
// resets, DNS failures, 408, 429 and 5xx (except 501), up to
// crawler.retries times; a Retry-After on 429/503 is honoured up to
// crawler.max_retry_wait (at least once, even with retries 0), and a longer
// one defers the link (ClassDeferred) at once: the run does not wait on one
// URL, and asking again sooner than the site said is rude.
func (c *Checker) decide(ctx context.Context, s *session, u *url.URL, res *Result) {
	method := http.MethodGet
	if c.cfg.HeadFirst && !c.opts.KeepBody && downloadPath(u) {
		method = http.MethodHead
	}
	retriesLeft := c.cfg.Retries
	afterLeft := max(c.cfg.Retries, 1) // Retry-After waits allowed
	backoffs := 0
	var trail, notes []string
	var prev *exchange
	for {
		if prev != nil {
			prev.release() // superseded: its body is not needed
		}
		x := s.do(ctx, fetchCheck, method, u)
		prev = x
		res.Attempts++
		if ctx.Err() != nil {
			return
		}
		class := ClassUnknown
		if x.err != nil {
			class = classifyError(x.err, x.deadline)
		}
		trail = append(trail, x.summary(class))

		if method == http.MethodHead {
			if c.headSettles(x) {
				c.verdict(ctx, s, u, x, res, trail, notes)
				return
			}
			if x.err != nil && x.status == 0 && (methodIndependent(class) || class == ClassTooLarge || class == ClassProtocolError) {
				c.verdict(ctx, s, u, x, res, trail, notes)
				return
			}
		}

		wait, note, again := c.nextStep(x, class, &retriesLeft, &afterLeft, &backoffs)
		if note != "" {
			notes = append(notes, note)
		}
		if !again {
			if method == http.MethodHead && !x.retryAfterTooLong() {
				// Nothing to wait for: the GET confirms at once.
				method = http.MethodGet
				continue
			}
			c.verdict(ctx, s, u, x, res, trail, notes)
			return
		}
		if wait > 0 {
			prev.release()
			s.t.pause()
			err := c.opts.Sleep(ctx, wait)
			if err == nil {
				err = s.t.resume(ctx)
			}
			if err != nil {
				return
			}
		}
		method = http.MethodGet
	}
}

// downloadExt are path extensions of files that are not web pages: a HEAD
// tells whether they are there without sending the file.
var downloadExt = map[string]bool{
	".pdf": true, ".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".zst": true,
	".7z": true, ".rar": true, ".tar": true, ".iso": true, ".img": true, ".dmg": true, ".exe": true,
	".msi": true, ".deb": true, ".rpm": true, ".apk": true, ".jar": true, ".whl": true,
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true, ".avif": true, ".bmp": true,
	".tif": true, ".tiff": true, ".ico": true, ".heic": true, ".psd": true,
	".mp3": true, ".m4a": true, ".ogg": true, ".oga": true, ".opus": true, ".wav": true, ".flac": true, ".aac": true,
	".mp4": true, ".m4v": true, ".mov": true, ".avi": true, ".mkv": true, ".webm": true, ".ogv": true, ".wmv": true, ".flv": true,
	".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true,
	".odt": true, ".ods": true, ".odp": true, ".epub": true, ".mobi": true, ".ps": true, ".djvu": true,
	".csv": true, ".parquet": true, ".sqlite": true, ".bin": true, ".dat": true, ".nc": true, ".h5": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true,
}

// downloadPath: u's last path segment has a download's extension.
func downloadPath(u *url.URL) bool {
	return downloadExt[strings.ToLower(path.Ext(u.Path))]
}

// headSettles: a HEAD answer good enough to stop at.
func (c *Checker) headSettles(x *exchange) bool {
	if x.err != nil || x.status < 200 || x.status > 299 {
		return false
	}
	mt := x.mediaType()
	if mt == "" || isHTMLType(mt) {
		return false // a page after all, or odd: a GET will tell
	}
	return redirectedAway(x.origin, x.final(), len(x.hops)) == ""
}

// nextStep decides whether to ask again and after how long.
func (c *Checker) nextStep(x *exchange, class Class, retriesLeft, afterLeft, backoffs *int) (time.Duration, string, bool) {
	if x.status == http.StatusTooManyRequests || x.status == http.StatusServiceUnavailable {
		if d, ok := x.retryAfter(); ok {
			switch {
			case d > time.Duration(c.cfg.MaxRetryWait):
				x.raTooLong = true
				return 0, fmt.Sprintf("Retry-After %s is longer than crawler.max_retry_wait %s; deferred to a later run", roundDur(d), roundDur(time.Duration(c.cfg.MaxRetryWait))), false
			case *afterLeft > 0:
				*afterLeft--
				if *retriesLeft > 0 {
					*retriesLeft--
				}
				return d, fmt.Sprintf("Retry-After %s honoured", roundDur(d)), true
			}
			return 0, "", false
		}
	}
	if x.method == http.MethodHead {
		// A HEAD that failed before any answer (timeout, reset) costs a
		// retry; any answer it got goes straight to a GET.
		if x.status == 0 && retryable(class) {
			if *retriesLeft == 0 {
				return 0, "", false
			}
			*retriesLeft--
			d := c.backoff(*backoffs)
			*backoffs++
			return d, fmt.Sprintf("HEAD %s, retried after %s backoff", class, roundDur(d)), true
		}
		return 0, "", false
	}
	var why string
	switch {
	case x.err != nil && !x.tooBig() && retryable(class):
		// Also when the headers came and the body broke off.
		why = class.String()
	case x.status >= 500 && x.status != http.StatusNotImplemented && x.status <= 599 && !x.tooBig():
		why = strconv.Itoa(x.status)
	case x.status == http.StatusRequestTimeout, x.status == http.StatusTooManyRequests:
		why = strconv.Itoa(x.status)
	default:
		return 0, "", false
	}
	if *retriesLeft == 0 {
		return 0, "", false
	}
	*retriesLeft--
	d := c.backoff(*backoffs)
	*backoffs++
	return d, fmt.Sprintf("%s, retried after %s backoff", why, roundDur(d)), true
}

// backoff is exponential with jitter: n-th retry waits a random time in
// [b/2, b] with b = backoffBase·2ⁿ, at most backoffMax, so that checks
// failing together do not come back together.
func (c *Checker) backoff(n int) time.Duration {
	b := backoffBase << min(n, 16)
	if b > backoffMax || b <= 0 {
		b = backoffMax
	}
	return b/2 + rand.N(b/2+1)
}

// retryAfter parses Retry-After: seconds or an HTTP date.
func (x *exchange) retryAfter() (time.Duration, bool) {
	v := strings.TrimSpace(x.header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	// Wall-clock time, not Options.Now: this is about the server's clock
	// and real waiting, not about what the record says.
	return max(time.Until(t), 0), true
}

func (x *exchange) retryAfterTooLong() bool { return x.raTooLong }

func roundDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	}
	return d.String()
}

// verdict turns the deciding exchange into the Result.
func (c *Checker) verdict(ctx context.Context, s *session, u *url.URL, x *exchange, res *Result, trail, notes []string) {
	final := x.final()
	res.Method = x.method
	res.Status = x.status
	res.FinalURL = final.String()
	res.Redirects = x.hops
	res.Latency = x.dur
	res.Header = x.header
	res.Size = x.size()
	if x.header != nil {
		res.ContentType = x.header.Get("Content-Type")
	}
	ev := []string{strings.Join(trail, ", ")}
	if len(x.hops) > 0 {
		ev = append(ev, chainText(x.hops, res.FinalURL))
	}
	ev = append(ev, notes...)
	defer func() { res.Evidence = append(res.Evidence, ev...) }()

	fail := func(class Class, err string, more ...string) {
		res.Class, res.Err = class, err
		ev = append(ev, more...)
	}

	if x.raTooLong {
		d, _ := x.retryAfter()
		res.RetryAfter = d
		fail(ClassDeferred, fmt.Sprintf("deferred: %s asks to wait %s, longer than crawler.max_retry_wait %s",
			statusText(x.status), roundDur(d), roundDur(time.Duration(c.cfg.MaxRetryWait))))
		return
	}
	if x.status == 0 || x.err != nil {
		// No usable answer: the transport error decides, even when headers
		// arrived and the body broke off.
		class := classifyError(x.err, x.deadline)
		msg := errorText(x.err)
		if x.deadline {
			msg = fmt.Sprintf("no complete answer within the %s deadline", time.Duration(c.cfg.Timeout))
		}
		more := []string{msg}
		if class == ClassPrivateAddress && x.next != "" && len(x.hops) > 0 {
			// Say where the refused redirect pointed, not only the
			// address it resolved to.
			more = append(more, "refused redirect target: "+x.next)
		}
		fail(class, msg, more...)
		return
	}

	var pg *page
	if x.method == http.MethodGet && x.bodyRead() && x.isHTML() {
		html, cut := decodeHTML(x.bodyBytes(), res.ContentType)
		pg = parsePage(html, false)
		res.Title = pg.title
		if x.status >= 200 && x.status <= 299 {
			res.HTML, res.HTMLTruncated = html, cut || x.truncated()
		}
	}
	title := ""
	if pg != nil {
		title = pg.title
	}
	if why := challenge(x.status, x.header, title, x.bodyBytes()); why != "" {
		fail(ClassBlocked, fmt.Sprintf("%d: bot challenge", x.status), why)
		return
	}

	switch code := x.status; {
	case code >= 200 && code <= 299:
	case blockedStatus(code):
		msg := statusText(code)
		if code == http.StatusTooManyRequests {
			msg += " (persisted)"
		}
		fail(ClassBlocked, msg)
		return
	case code >= 400 && code <= 499:
		fail(ClassHTTP4xx, statusText(code))
		return
	case code >= 500 && code <= 599:
		fail(ClassHTTP5xx, statusText(code))
		return
	case code >= 300 && code <= 399:
		// net/http follows every redirect that says where to go.
		why := fmt.Sprintf("%s as the final answer: a redirect without a usable Location", statusText(code))
		fail(ClassProtocolError, why, why)
		return
	default:
		why := fmt.Sprintf("final status %d is not an HTTP success or error code", code)
		fail(ClassProtocolError, why, why)
		return
	}

	// 2xx from here on. A body longer than what was read is alive: its
	// size is noted, and a page is judged from its start.
	if x.note != "" {
		ev = append(ev, x.note)
	}
	if x.truncated() {
		size := "of unknown length"
		if res.Size > 0 {
			size = "of " + formatBytes(res.Size)
		}
		ev = append(ev, fmt.Sprintf("body %s, longer than the %s read; judged from its start", size, formatBytes(int64(len(x.bodyBytes())))))
	}
	if why := redirectedAway(u, final, len(x.hops)); why != "" {
		fail(ClassRedirectToRoot, why, why)
		return
	}
	if pg != nil && x.status == http.StatusOK {
		soft, more := c.softNotFound(ctx, s, u, final, pg)
		if soft {
			fail(ClassSoft404, "soft 404: a 200 page that says the page is missing", more...)
			if c.opts.KeepBody && x.bodyComplete() {
				res.Body = x.bodyBytes()
			}
			return
		}
		ev = append(ev, more...)
	}
	res.Class = ClassOK
	if len(x.hops) > 0 && allPermanent(x.hops) {
		res.Class, res.Permanent = ClassRedirect, true
	}
	if c.opts.KeepBody && x.method == http.MethodGet && x.bodyComplete() {
		res.Body = x.bodyBytes()
	}
}

func allPermanent(hops []Hop) bool {
	for _, h := range hops {
		if h.Status != http.StatusMovedPermanently && h.Status != http.StatusPermanentRedirect {
			return false
		}
	}
	return true
}

func statusText(code int) string {
	t := http.StatusText(code)
	if code == 999 {
		t = "Request denied"
	}
	if t == "" {
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + t
}
