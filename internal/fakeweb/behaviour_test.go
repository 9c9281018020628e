package fakeweb

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStatusPages(t *testing.T) {
	w := newWeb(t)
	s := w.Site("status.test")
	c := noRedirects(w)
	for _, code := range []int{404, 410, 500, 502, 503, 401, 405, 999} {
		s.Status("/"+strconv.Itoa(code), code)
		resp, body := get(t, c, "https://status.test/"+strconv.Itoa(code))
		wantStatus(t, resp, code)
		wantContains(t, "error page", body, "<title>"+strconv.Itoa(code))
	}
	resp, _ := get(t, c, "https://status.test/401")
	if resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	// Unknown paths are a plain 404.
	resp, _ = get(t, c, "http://status.test/nowhere")
	wantStatus(t, resp, 404)
	// Prefix routes: exact beats prefix, longer prefix beats shorter.
	s.Page("/docs/*", HTML("docs", "")).Page("/docs/api/*", HTML("api", "")).HTML("/docs/api/exact", "exact", "")
	for path, want := range map[string]string{"/docs/x": "docs", "/docs/api/y": "api", "/docs/api/exact": "exact"} {
		_, body := get(t, c, "http://status.test"+path)
		wantContains(t, path, body, "<title>"+want+"</title>")
	}
}

func TestSoftNotFoundDiffersOnlyByPath(t *testing.T) {
	w := newWeb(t)
	w.Site("soft.test").HTML("/", "Home", "<p>home</p>").Fallback(SoftNotFound())
	c := w.Client()
	r1, b1 := get(t, c, "https://soft.test/a/missing-page")
	r2, b2 := get(t, c, "https://soft.test/zzz")
	wantStatus(t, r1, 200)
	wantStatus(t, r2, 200)
	wantContains(t, "soft 404", b1, "Page not found")
	if strings.ReplaceAll(b1, "/a/missing-page", "X") != strings.ReplaceAll(b2, "/zzz", "X") {
		t.Errorf("soft-404 pages differ beyond the path:\n%s\n%s", b1, b2)
	}
}

func TestSameAsServesHomePage(t *testing.T) {
	w := newWeb(t)
	w.Site("home.test").HTML("/", "Home", "<p>home</p>").Fallback(SameAs("/"))
	w.Site("loop.test").Fallback(SameAs("/")) // "/" is the fallback itself
	c := w.Client()
	_, home := get(t, c, "https://home.test/")
	resp, other := get(t, c, "https://home.test/old/article?id=3")
	wantStatus(t, resp, 200)
	if home != other {
		t.Error("unknown path did not get the home page")
	}
	resp, _ = get(t, c, "https://loop.test/x")
	wantStatus(t, resp, 404)
}

func TestRedirects(t *testing.T) {
	w := newWeb(t)
	s := w.Site("r.test")
	w.Site("dest.test").HTML("/page", "Destination", "")
	s.Redirect("/moved", 301, "https://dest.test/page")
	s.Redirect("/root", 302, "/")
	s.Redirect("/404", 307, "/404")
	s.Page("/chain", RedirectChain(308, 4, "https://dest.test/page"))
	s.Page("/loop", RedirectLoop(302))
	s.HTML("/", "Root", "")
	c := noRedirects(w)

	for path, want := range map[string]struct {
		code int
		loc  string
	}{"/moved": {301, "https://dest.test/page"}, "/root": {302, "/"}, "/404": {307, "/404"}} {
		resp, _ := get(t, c, "http://r.test"+path)
		wantStatus(t, resp, want.code)
		if got := resp.Header.Get("Location"); got != want.loc {
			t.Errorf("%s: Location %q, want %q", path, got, want.loc)
		}
	}

	// A chain of 4 hops: the client sees 4 redirects, then the page.
	var hops []string
	follow := w.Client()
	follow.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		hops = append(hops, via[len(via)-1].URL.String())
		return nil
	}
	resp, body := get(t, follow, "https://r.test/chain")
	wantStatus(t, resp, 200)
	wantContains(t, "end of chain", body, "Destination")
	if len(hops) != 4 {
		t.Errorf("chain hops %q, want 4", hops)
	}

	_, err := w.Client().Get("http://r.test/loop")
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Errorf("loop: %v", err)
	}
	if n := w.Hits("r.test", "/loop"); n != 10 {
		t.Errorf("loop hits %d, want 10", n)
	}
}

func TestSlowHeaders(t *testing.T) {
	w := newWeb(t)
	w.Site("slow.test").Page("/", Delay(5*time.Second, HTML("late", ""))).
		Page("/quick", Delay(50*time.Millisecond, HTML("ok", "")))
	short := w.Client()
	short.Timeout = 150 * time.Millisecond
	start := time.Now()
	_, err := short.Get("http://slow.test/")
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("slow headers: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout took %v", d)
	}
	start = time.Now()
	resp, _ := get(t, w.Client(), "http://slow.test/quick")
	wantStatus(t, resp, 200)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("Delay(50ms) answered in %v", d)
	}
}

func TestDripWithClientDeadline(t *testing.T) {
	w := newWeb(t)
	w.Site("drip.test").Page("/forever", Drip(20*time.Millisecond, 4, -1)).
		Page("/short", Drip(time.Millisecond, 100, 1000))
	for _, scheme := range []string{"http", "https"} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", scheme+"://drip.test/forever", nil)
		resp, err := w.Client().Do(req)
		if err != nil {
			cancel()
			t.Fatalf("headers should come at once: %v", err)
		}
		// Read a few trickles, then give up as a client deadline would.
		var got []byte
		var reads []time.Time
		buf := make([]byte, 512)
		for len(got) < 16 {
			n, err := resp.Body.Read(buf)
			if err != nil {
				t.Fatalf("%s drip ended early: %v after %q", scheme, err, got)
			}
			got = append(got, buf[:n]...)
			reads = append(reads, time.Now())
		}
		if len(reads) < 2 || reads[len(reads)-1].Sub(reads[0]) < 20*time.Millisecond {
			t.Errorf("%s: %d bytes came in %d reads within %v: not a trickle", scheme, len(got), len(reads), reads[len(reads)-1].Sub(reads[0]))
		}
		if !strings.HasPrefix(string(got), "<!DOCTYPE html>") {
			t.Errorf("drip starts %q", got)
		}
		cancel()
		// The cut body must never look complete (no clean EOF).
		_, err = io.ReadAll(resp.Body)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: after cancel the body read gave %v, want context.Canceled", scheme, err)
		}
		resp.Body.Close()
	}

	resp2, body := get(t, w.Client(), "http://drip.test/short")
	if resp2.ContentLength != 1000 || len(body) != 1000 {
		t.Errorf("finite drip: length %d, body %d", resp2.ContentLength, len(body))
	}
}

func TestResetsAndEmptyReplies(t *testing.T) {
	w := newWeb(t)
	w.Site("rst.test").Page("/mid", Reset()).Page("/early", ResetBeforeResponse()).Page("/empty", EmptyReply())
	c := w.Client()
	c.Timeout = 5 * time.Second
	for _, scheme := range []string{"http", "https"} {
		resp, err := c.Get(scheme + "://rst.test/mid")
		if err != nil {
			t.Fatalf("%s mid-response reset: headers should arrive: %v", scheme, err)
		}
		wantStatus(t, resp, 200)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !isReset(err) {
			t.Errorf("%s mid-response reset: body error %v after %d bytes, want ECONNRESET", scheme, err, len(b))
		}

		_, err = c.Get(scheme + "://rst.test/early")
		if !isReset(err) {
			t.Errorf("%s reset before response: %v", scheme, err)
		}

		_, err = c.Get(scheme + "://rst.test/empty")
		if !errors.Is(err, io.EOF) {
			t.Errorf("%s empty reply: %v, want EOF", scheme, err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	w := newWeb(t)
	ok := HTML("fine", "<p>fine</p>")
	w.Site("rate.test").
		Page("/s", RetryAfterSeconds(429, 2, 7, ok)).
		Page("/d", RetryAfterDate(429, 1, 3*time.Second, ok)).
		Page("/503", RetryAfterSeconds(503, 1, 1, ok)).
		Page("/never", RetryAfterSeconds(429, -1, 60, ok))
	c := w.Client()

	for i := 1; i <= 2; i++ {
		resp, _ := get(t, c, "http://rate.test/s")
		wantStatus(t, resp, 429)
		if got := resp.Header.Get("Retry-After"); got != "7" {
			t.Errorf("hit %d: Retry-After %q", i, got)
		}
	}
	resp, _ := get(t, c, "http://rate.test/s")
	wantStatus(t, resp, 200)

	before := time.Now()
	resp, _ = get(t, c, "http://rate.test/d")
	after := time.Now()
	wantStatus(t, resp, 429)
	at, err := http.ParseTime(resp.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After %q: %v", resp.Header.Get("Retry-After"), err)
	}
	// now+3s rounded up to the second, so within [before+3s, after+4s].
	if at.Before(before.Add(3*time.Second)) || at.After(after.Add(4*time.Second)) {
		t.Errorf("Retry-After date %v, request between %v and %v", at, before, after)
	}
	resp, _ = get(t, c, "http://rate.test/d")
	wantStatus(t, resp, 200)

	resp, _ = get(t, c, "http://rate.test/503")
	wantStatus(t, resp, 503)
	if resp.Header.Get("Retry-After") != "1" {
		t.Error("503 without Retry-After")
	}
	for i := 0; i < 3; i++ {
		resp, _ = get(t, c, "http://rate.test/never")
		wantStatus(t, resp, 429)
	}
}

func TestBlockedAnswers(t *testing.T) {
	w := newWeb(t)
	w.Site("cf.test").Page("/", Challenge()).Status("/li", 999)
	c := w.Client()
	resp, body := get(t, c, "https://cf.test/")
	wantStatus(t, resp, 403)
	if resp.Header.Get("cf-mitigated") != "challenge" {
		t.Errorf("headers %v", resp.Header)
	}
	wantContains(t, "challenge", body, "<title>Just a moment...</title>")
	resp, _ = get(t, c, "https://cf.test/li")
	wantStatus(t, resp, 999)
}

func TestHeadFails(t *testing.T) {
	w := newWeb(t)
	page := HTML("works", "<p>GET works</p>")
	w.Site("head.test").Page("/405", HeadFails(405, page)).Page("/404", HeadFails(404, page))
	c := w.Client()
	for _, code := range []int{405, 404} {
		u := "http://head.test/" + strconv.Itoa(code)
		resp, _ := fetch(t, c, http.MethodHead, u)
		wantStatus(t, resp, code)
		resp, body := get(t, c, u)
		wantStatus(t, resp, 200)
		wantContains(t, "GET", body, "GET works")
	}
}

func TestGzipBomb(t *testing.T) {
	w := newWeb(t)
	const size = 64 << 20
	w.Site("bomb.test").Page("/", GzipBomb(size))

	// As sent: small, gzip-encoded.
	raw := w.Transport()
	raw.DisableCompression = true
	defer raw.CloseIdleConnections()
	resp, body := get(t, &http.Client{Transport: raw}, "http://bomb.test/")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	if resp.ContentLength != int64(len(body)) || len(body) > size/500 {
		t.Fatalf("compressed length %d (header %d), want under %d", len(body), resp.ContentLength, size/500)
	}
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false) // one member, readable by any decoder
	// Reading to EOF makes gzip.Reader check the CRC-32 and the length.
	n, err := io.Copy(io.Discard, zr)
	if err != nil || n < size || n > size+258 {
		t.Fatalf("decompressed %d bytes (%v), want %d", n, err, size)
	}

	// Through a default client it inflates transparently: a reader
	// without a cap would take it all.
	r2, err := w.Client().Get("https://bomb.test/")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	if !r2.Uncompressed {
		t.Error("Go's transport did not decompress")
	}
	n, _ = io.Copy(io.Discard, io.LimitReader(r2.Body, 8<<20))
	if n != 8<<20 {
		t.Errorf("read %d inflated bytes, want the 8 MiB cap", n)
	}
}

func TestGzipBombSizes(t *testing.T) {
	for _, size := range []int64{0, 1, 2, 258, 259, 1000, 4097, 1 << 20} {
		b := newBomb(size)
		var all bytes.Buffer
		all.Write(b.head)
		all.Write(make([]byte, b.zeros))
		all.Write(b.tail)
		if int64(all.Len()) != b.length() {
			t.Fatalf("size %d: length %d, built %d", size, b.length(), all.Len())
		}
		zr, err := gzip.NewReader(&all)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if int64(len(out)) < size || int64(len(out)) > size+258 || bytes.ContainsFunc(out, func(r rune) bool { return r != 0 }) {
			t.Errorf("size %d: inflated to %d bytes", size, len(out))
		}
	}
	for _, n := range []int64{0, 1, 2, 3, 7, 100, 65536, 1000003} {
		if got, want := crc32Zeros(n), crc32.ChecksumIEEE(make([]byte, n)); got != want {
			t.Errorf("crc32Zeros(%d) = %08x, want %08x", n, got, want)
		}
	}
}

func TestHugeBodies(t *testing.T) {
	w := newWeb(t)
	w.Site("big.test").Page("/5m", Huge(5<<20)).Page("/endless", Huge(-1)).Page("/flood", HeaderFlood(50, 100))
	c := w.Client()
	resp, body := get(t, c, "http://big.test/5m")
	if resp.ContentLength != 5<<20 || len(body) != 5<<20 {
		t.Errorf("Huge(5MiB): length %d, body %d", resp.ContentLength, len(body))
	}
	wantContains(t, "huge", body[:200], "<html")
	// HEAD gets the headers and a clean, reusable connection.
	for i := 0; i < 2; i++ {
		resp, _ = fetch(t, c, http.MethodHead, "http://big.test/5m")
		if resp.StatusCode != 200 || resp.ContentLength != 5<<20 {
			t.Errorf("HEAD: %d, length %d", resp.StatusCode, resp.ContentLength)
		}
	}

	r, err := c.Get("https://big.test/endless")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, io.LimitReader(r.Body, 3<<20))
	r.Body.Close()
	if n != 3<<20 || r.ContentLength != -1 {
		t.Errorf("endless: read %d, length %d", n, r.ContentLength)
	}

	resp, _ = get(t, c, "http://big.test/flood")
	if len(resp.Header.Get("X-Flood-50")) != 100 {
		t.Errorf("flood headers %d", len(resp.Header))
	}
	small := w.Transport()
	small.MaxResponseHeaderBytes = 2000
	defer small.CloseIdleConnections()
	if _, err := (&http.Client{Transport: small}).Get("http://big.test/flood"); err == nil ||
		!strings.Contains(err.Error(), "header") {
		t.Errorf("header limit not hit: %v", err)
	}
}

func TestPDF(t *testing.T) {
	w := newWeb(t)
	w.Site("pdf.test").Page("/p.pdf", PDF("Link (rot)", "line one\nline two"))
	resp, body := get(t, w.Client(), "https://pdf.test/p.pdf")
	if resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(body, "%PDF-1.4\n") || !strings.HasSuffix(body, "%%EOF\n") {
		t.Fatalf("not a PDF: %q", clip(body))
	}
	wantContains(t, "pdf", body, `(Link \(rot\)) Tj`)
	// The cross-reference table points at the objects it names.
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(m[1])
	if !strings.HasPrefix(body[xref:], "xref\n0 7\n") {
		t.Fatalf("startxref %d points at %q", xref, body[xref:xref+10])
	}
	for i, line := range strings.Split(body[xref:], "\n")[3:9] {
		off, _ := strconv.Atoi(line[:10])
		if want := strconv.Itoa(i+1) + " 0 obj"; !strings.HasPrefix(body[off:], want) {
			t.Errorf("xref entry %d points at %q", i+1, body[off:off+10])
		}
	}
}

func TestLegacyCharsets(t *testing.T) {
	w := newWeb(t)
	w.Site("cs.test").
		Page("/ru", Charset("windows-1251", InHeader|InMeta, "Привет", "<p>Ёж — №1</p>")).
		Page("/fr", Charset("iso-8859-1", InMeta, "Café", "<p>déjà €</p>"))
	c := w.Client()
	resp, body := get(t, c, "http://cs.test/ru")
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=windows-1251" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(body, `<meta charset="windows-1251">`) {
		t.Error("no meta charset")
	}
	if !bytes.Contains([]byte(body), []byte{0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2}) { // Привет
		t.Errorf("title not in windows-1251: %q", clip(body))
	}
	if !bytes.Contains([]byte(body), []byte{0xA8, 0xE6, ' ', 0x97, ' ', 0xB9, '1'}) { // Ёж — №1
		t.Errorf("body not in windows-1251: %q", clip(body))
	}
	resp, body = get(t, c, "http://cs.test/fr")
	if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
		t.Errorf("meta-only page has Content-Type %q", ct)
	}
	if !bytes.Contains([]byte(body), []byte("Caf\xe9")) || !bytes.Contains([]byte(body), []byte("d\xe9j\xe0 ?")) {
		t.Errorf("not latin-1: %q", clip(body))
	}
}

func TestChangesOverTime(t *testing.T) {
	w := newWeb(t)
	s := w.Site("t.test").
		Page("/flap", Flap(Status(503), HTML("up", ""))).
		Page("/changing", Changing("News")).
		Page("/dies", AfterHits(2, HTML("alive", ""), Status(410))).
		HTML("/stable", "Stable", "").
		Fallback(Flap(Status(500), HTML("fb", "")))
	c := w.Client()
	var codes []int
	for i := 0; i < 4; i++ {
		resp, _ := get(t, c, "http://t.test/flap")
		codes = append(codes, resp.StatusCode)
	}
	if codes[0] != 503 || codes[1] != 200 || codes[2] != 503 || codes[3] != 200 {
		t.Errorf("flap codes %v", codes)
	}
	// A shared fallback keeps one history per path.
	for _, p := range []string{"/x", "/y"} {
		resp, _ := get(t, c, "http://t.test"+p)
		wantStatus(t, resp, 500)
	}

	_, b1 := get(t, c, "http://t.test/changing")
	r2, b2 := get(t, c, "http://t.test/changing")
	if b1 == b2 || r2.Header.Get("ETag") != `"rev-2"` {
		t.Error("changing page did not change")
	}

	for i, want := range []int{200, 200, 410, 410} {
		resp, _ := get(t, c, "http://t.test/dies")
		if resp.StatusCode != want {
			t.Errorf("dies hit %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}

	// Kill and Revive simulate a link dying between runs.
	s.Kill("/stable")
	resp, _ := get(t, c, "http://t.test/stable")
	wantStatus(t, resp, 404)
	s.Revive("/stable")
	resp, _ = get(t, c, "http://t.test/stable")
	wantStatus(t, resp, 200)

	// ResetHits starts every history over.
	w.ResetHits()
	resp, _ = get(t, c, "http://t.test/dies")
	wantStatus(t, resp, 200)
}

func TestRobots(t *testing.T) {
	w := newWeb(t)
	w.Site("rb.test").Robots("User-agent: *\nDisallow: /private/\n")
	resp, body := get(t, w.Client(), "https://rb.test/robots.txt")
	wantStatus(t, resp, 200)
	if body != "User-agent: *\nDisallow: /private/\n" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("robots.txt %q %q", resp.Header.Get("Content-Type"), body)
	}
}
