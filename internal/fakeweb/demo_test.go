package fakeweb

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestDemoCases runs a deliberately small reference checker over the Demo
// preset and expects every case's Want. The checker is not the crawler's:
// it exists to prove each demo URL produces the condition it claims, with
// the error types a real classifier would look at.
func TestDemoCases(t *testing.T) {
	w := newWeb(t)
	cases := w.Demo()
	if len(cases) < 60 {
		t.Fatalf("only %d demo cases", len(cases))
	}
	ck := newRefChecker(w)
	// All at once (not limited by -parallel), so the cases that must time
	// out wait together.
	got := make([]string, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Cases that must time out get a short timeout; the rest a
			// patient one, so a loaded machine does not fail them.
			timeout := 10 * time.Second
			if c.Want == "timeout" {
				timeout = time.Second
			}
			got[i] = ck.check(c.URL, timeout)
		}()
	}
	wg.Wait()
	for i, c := range cases {
		if got[i] != c.Want {
			t.Errorf("%s: %s, want %s (%s)", c.URL, got[i], c.Want, c.Note)
		}
	}
}

var errTooManyRedirects = errors.New("too many redirects")

type refChecker struct {
	tr *http.Transport
}

func newRefChecker(w *Web) *refChecker {
	tr := w.Transport()
	// A sane cap; Go's default of 10 MB would make the header flood slow.
	tr.MaxResponseHeaderBytes = 1 << 20
	return &refChecker{tr: tr}
}

func (k *refChecker) client(timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: k.tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errTooManyRedirects
			}
			return nil
		},
	}
}

var titleRE = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

// check classifies one URL: robots.txt first, then one GET (retried once at
// once after a 429/503 with Retry-After, since fakeweb's throttles count
// hits, not time), then a soft-404 probe of a random path on the same host.
func (k *refChecker) check(raw string, timeout time.Duration) string {
	c := k.client(timeout)
	u, _ := url.Parse(raw)
	if disallowed(c, u) {
		return "robots_disallowed"
	}
	resp, body, class := refGet(c, raw)
	if class != "" {
		return class
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra > 10 {
		return "deferred"
	}
	if (resp.StatusCode == 429 || resp.StatusCode == 503) && resp.Header.Get("Retry-After") != "" {
		resp, body, class = refGet(c, raw)
		if class != "" {
			return class
		}
	}
	switch code := resp.StatusCode; {
	case code == 401 || code == 403 || code == 429 || code == 999:
		return "blocked"
	case code >= 500:
		return "http_5xx"
	case code >= 400:
		return "http_4xx"
	}
	final := resp.Request.URL
	if final.Path == "/" && u.Path != "/" && u.Path != "" {
		return "redirect_to_root"
	}
	if final.Path == "/404" {
		return "soft_404"
	}
	if m := titleRE.FindStringSubmatch(body); m != nil && strings.Contains(strings.ToLower(m[1]), "not found") {
		return "soft_404"
	}
	if u.Path != "/" && u.Path != "" {
		probe := *final
		probe.Path, probe.RawQuery = "/fakeweb-probe-zq7x", ""
		if r2, b2, cl := refGet(c, probe.String()); cl == "" && r2.StatusCode == 200 &&
			strings.ReplaceAll(b2, probe.Path, "") == strings.ReplaceAll(body, final.Path, "") {
			return "soft_404"
		}
	}
	if final.String() != raw {
		return "redirect"
	}
	return "ok"
}

func disallowed(c *http.Client, u *url.URL) bool {
	_, body, class := refGet(c, u.Scheme+"://"+u.Host+"/robots.txt")
	if class != "" {
		return false
	}
	for _, line := range strings.Split(body, "\n") {
		if p, ok := strings.CutPrefix(line, "Disallow: "); ok && p != "" && strings.HasPrefix(u.Path, p) {
			return true
		}
	}
	return false
}

// refGet fetches url with a 2 MiB body cap and returns a class for failures.
func refGet(c *http.Client, raw string) (*http.Response, string, string) {
	resp, err := c.Get(raw)
	if err != nil {
		return nil, "", classifyErr(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 2<<20+1))
	if err != nil {
		return nil, "", classifyErr(err)
	}
	if len(b) > 2<<20 {
		b = b[:2<<20] // a 200 too long to read is still an answer
	}
	return resp, string(b), ""
}

func classifyErr(err error) string {
	var dnsErr *net.DNSError
	var tlsErr *tls.CertificateVerificationError
	var ne net.Error
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "dns_nxdomain"
	case errors.As(err, &dnsErr):
		return "dns_error"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "conn_refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "conn_reset"
	case errors.As(err, &tlsErr):
		return "tls_error"
	case errors.Is(err, errTooManyRedirects):
		return "too_many_redirects"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(err.Error(), "malformed HTTP"), errors.As(err, new(*net.AddrError)):
		// net/http has no type for a response that is not HTTP.
		return "protocol_error"
	case strings.Contains(err.Error(), "response headers exceeded"):
		// net/http has no sentinel for this one.
		return "too_large"
	}
	return "error: " + err.Error()
}
