package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/linkrot/linkrot/config"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(c *config.Config) {
		c.Web.Auth = config.Auth{Token: "s3cret-token", User: "ada", PasswordHash: string(hash)}
	})
	basic := func(user, pass string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, f.ts.URL+"/", nil)
		req.SetBasicAuth(user, pass)
		return req
	}

	resp, body := f.get(t, "/")
	wantStatus(t, resp, body, http.StatusUnauthorized)
	challenges := strings.Join(resp.Header.Values("WWW-Authenticate"), " | ")
	if !strings.Contains(challenges, `Basic realm="linkrot"`) || !strings.Contains(challenges, "Bearer") {
		t.Errorf("WWW-Authenticate: %s", challenges)
	}
	if strings.Contains(body, "Dashboard") {
		t.Error("the 401 shows the page")
	}

	for name, c := range map[string]struct {
		req  *http.Request
		want int
	}{
		"bearer":         {withHeader(f.ts.URL+"/", "Authorization", "Bearer s3cret-token"), 200},
		"bearer, case":   {withHeader(f.ts.URL+"/", "Authorization", "bearer s3cret-token"), 200},
		"wrong bearer":   {withHeader(f.ts.URL+"/", "Authorization", "Bearer s3cret-tokeN"), 401},
		"prefix bearer":  {withHeader(f.ts.URL+"/", "Authorization", "Bearer s3cret"), 401},
		"basic":          {basic("ada", "correct horse"), 200},
		"basic, again":   {basic("ada", "correct horse"), 200}, // from the cache of good credentials
		"wrong password": {basic("ada", "wrong horse"), 401},
		"wrong user":     {basic("bob", "correct horse"), 401},
		"token as basic": {basic("ada", "s3cret-token"), 401},
	} {
		resp, body := f.do(t, c.req)
		if resp.StatusCode != c.want {
			t.Errorf("%s: status %d, want %d\n%.200s", name, resp.StatusCode, c.want, body)
		}
	}

	// Every route is behind it, Memento and metrics included; only the
	// health check, the login form and its stylesheet are open.
	for _, p := range []string{"/timegate/" + urlDead, "/metrics", "/links", "/snapshot/1/view", "/run"} {
		resp, body := f.get(t, p)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d", p, resp.StatusCode)
		}
		_ = body
	}
	resp, body = f.get(t, "/healthz")
	wantStatus(t, resp, body, http.StatusOK)

	// With the token, a client may start a run without the form's token:
	// no browser sends a bearer token by itself.
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/run", nil)
	req.Header.Set("Authorization", "Bearer s3cret-token")
	req.Header.Set("Accept", "application/json")
	resp, body = f.do(t, req)
	wantStatus(t, resp, body, http.StatusAccepted)
	if f.runs.Load() != 1 || !strings.Contains(body, `"started":true`) {
		t.Errorf("run-now with bearer: %d runs, %s", f.runs.Load(), body)
	}
	// With basic credentials (which browsers do send by themselves) the
	// form's token is still required.
	req, _ = http.NewRequest(http.MethodPost, f.ts.URL+"/run", strings.NewReader(""))
	req.SetBasicAuth("ada", "correct horse")
	resp, body = f.do(t, req)
	wantStatus(t, resp, body, http.StatusForbidden)
}

func withHeader(u, k, v string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set(k, v)
	return req
}

func TestNewRejectsBadAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, a := range []config.Auth{
		{User: "ada"},
		{PasswordHash: "$2a$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzabcde"},
		{User: "ada", PasswordHash: "plain-text-password"},
	} {
		cfg := *f.cfg
		cfg.Web.Auth = a
		if _, err := New(Deps{Config: &cfg, Store: f.st}); err == nil {
			t.Errorf("New accepted %+v", a)
		}
	}
}

// csrfForm loads the dashboard as a browser would and returns the cookie
// jar's cookie and the form's token.
func csrfForm(t *testing.T, f *fixture) (*http.Cookie, string) {
	t.Helper()
	resp, body := f.get(t, "/")
	wantStatus(t, resp, body, http.StatusOK)
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == csrfCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("CSRF cookie: %+v", cookie)
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token in the run-now form")
	}
	return cookie, m[1]
}

func postRun(t *testing.T, f *fixture, cookie *http.Cookie, token string, header ...string) *http.Response {
	t.Helper()
	form := url.Values{}
	if token != "" {
		form.Set("csrf", token)
	}
	req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/run", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, _ := f.do(t, req)
	return resp
}

func TestRunNowCSRF(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	cookie, token := csrfForm(t, f)

	for name, resp := range map[string]*http.Response{
		"no token, no cookie": postRun(t, f, nil, ""),
		"no token":            postRun(t, f, cookie, ""),
		"token, no cookie":    postRun(t, f, nil, token),
		"another cookie":      postRun(t, f, &http.Cookie{Name: csrfCookie, Value: strings.Repeat("A", 43)}, token),
		"forged token":        postRun(t, f, cookie, strings.Repeat("B", 43)),
		"cross-site":          postRun(t, f, cookie, token, "Sec-Fetch-Site", "cross-site"),
		"other origin":        postRun(t, f, cookie, token, "Origin", "https://evil.example"),
	} {
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, resp.StatusCode)
		}
	}
	if n := f.runs.Load(); n != 0 {
		t.Fatalf("RunNow called %d times by forged requests", n)
	}

	resp := postRun(t, f, cookie, token, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/?run=started" {
		t.Errorf("with the token: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := f.runs.Load(); n != 1 {
		t.Errorf("RunNow called %d times, want 1", n)
	}
	resp, body := f.get(t, "/?run=started")
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, "A run has started") {
		t.Error("no confirmation on the dashboard")
	}
	// GET never starts anything.
	resp, body = f.get(t, "/run")
	if resp.StatusCode == http.StatusOK || f.runs.Load() != 1 {
		t.Errorf("GET /run: %d, runs %d", resp.StatusCode, f.runs.Load())
	}
	_ = body
}
