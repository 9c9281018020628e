package web

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/config"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// browser is a client with a cookie jar that does not follow redirects
// and sends the Accept header a browser sends.
type browser struct {
	t *testing.T
	f *fixture
	c *http.Client
}

func newBrowser(t *testing.T, f *fixture) *browser {
	jar, _ := cookiejar.New(nil)
	c := f.noFollow()
	c.Jar = jar
	return &browser{t: t, f: f, c: c}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.f.ts.URL+path, body)
	req.Header.Set("Accept", browserAccept)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.f.ts.URL)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

func formToken(t *testing.T, page string) string {
	t.Helper()
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%.1500s", page)
	}
	return html.UnescapeString(m[1])
}

func TestBrowserLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *config.Config) { c.Web.Auth = config.Auth{Token: "s3cret-token"} })
	b := newBrowser(t, f)

	// A browser without credentials is sent to the form; a script gets 401.
	resp, _ := b.do(http.MethodGet, "/links?state=dead", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Flinks%3Fstate%3Ddead" {
		t.Fatalf("browser without credentials: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := f.get(t, "/links"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a script without credentials: %d\n%.200s", resp.StatusCode, body)
	}
	resp, page := b.do(http.MethodGet, "/login?next=%2Flinks%3Fstate%3Ddead", nil)
	wantStatus(t, resp, page, http.StatusOK)
	if !strings.Contains(page, `id="login-form"`) || !strings.Contains(page, `value="/links?state=dead"`) {
		t.Fatalf("login page:\n%.1500s", page)
	}
	tok := formToken(t, page)

	// Without the form token: refused.
	resp, _ = b.do(http.MethodPost, "/login", url.Values{"token": {"s3cret-token"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without CSRF: %d", resp.StatusCode)
	}
	// A wrong token: the form again, with a message, and no session.
	resp, body := b.do(http.MethodPost, "/login", url.Values{"csrf": {tok}, "token": {"guess"}, "next": {"/links"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="login-failed"`) {
		t.Errorf("wrong token: %d\n%.800s", resp.StatusCode, body)
	}
	// The right one: a session cookie, and on to where it was going.
	resp, _ = b.do(http.MethodPost, "/login", url.Values{"csrf": {tok}, "token": {"s3cret-token"}, "next": {"/links?state=dead"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/links?state=dead" {
		t.Fatalf("login: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			sc = c
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Path != "/" {
		t.Fatalf("session cookie %+v", sc)
	}
	resp, page = b.do(http.MethodGet, "/links?state=dead", nil)
	wantStatus(t, resp, page, http.StatusOK)
	if !strings.Contains(page, `id="logout"`) || !strings.Contains(page, urlDead) {
		t.Errorf("logged-in page:\n%.1500s", page)
	}
	// A session is ambient: forms still need their token.
	resp, _ = b.do(http.MethodPost, "/run", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("run-now on a session without the form token: %d", resp.StatusCode)
	}
	resp, _ = b.do(http.MethodPost, "/run", url.Values{"csrf": {formToken(t, page)}})
	if resp.StatusCode != http.StatusSeeOther || f.runs.Load() != 1 {
		t.Errorf("run-now on a session with the token: %d, %d runs", resp.StatusCode, f.runs.Load())
	}

	// Log out: the cookie no longer opens anything, even if replayed.
	resp, _ = b.do(http.MethodPost, "/logout", url.Values{"csrf": {formToken(t, page)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?out=1" {
		t.Fatalf("logout: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/links", nil)
	req.AddCookie(sc)
	if resp, _ := f.do(t, req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a logged-out session cookie still works: %d", resp.StatusCode)
	}

	// The destination stays on this server.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
}
