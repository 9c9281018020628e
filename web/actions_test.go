package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/store"
)

// recheckEnv is a real Runner on a real catalog whose one link points at
// a loopback server that can be switched between 200 and 404, served by
// the UI with the Runner's Recheck behind the button.
type recheckEnv struct {
	r      *job.Runner
	ui     *httptest.Server
	client *http.Client
	link   string
	status *int
}

func newRecheckEnv(t *testing.T) *recheckEnv {
	t.Helper()
	status := http.StatusOK
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(status)
		io.WriteString(w, "hello")
	}))
	t.Cleanup(site.Close)
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.Network.AllowPrivate = true // the site is on loopback
	cfg.Crawler.Retries = 0
	r, err := job.Open(context.Background(), cfg, job.Deps{Owner: "1@test-host"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	link := site.URL + "/article"
	if _, err := r.Catalog().SaveDocument(context.Background(), store.Document{Path: "d.md", ScannedAt: time.Now()},
		[]store.Occurrence{{URL: link, Raw: link, Line: 1, Column: 1, Role: store.RoleCited, Confidence: 1}}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Deps{Config: cfg, Store: r.Catalog(),
		Recheck: func(ctx context.Context, u string) (store.LinkState, string, error) {
			res, st, err := r.Recheck(ctx, u)
			return st, res.Class.String(), err
		}})
	if err != nil {
		t.Fatal(err)
	}
	ui := httptest.NewServer(srv)
	t.Cleanup(ui.Close)
	jar, _ := cookiejar.New(nil)
	return &recheckEnv{r: r, ui: ui, client: &http.Client{Jar: jar}, link: link, status: &status}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// press loads the link page and presses "recheck now"; it returns the
// page the redirect lands on.
func (e *recheckEnv) press(t *testing.T) string {
	t.Helper()
	resp, err := e.client.Get(e.ui.URL + "/link?url=" + url.QueryEscape(e.link))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfInput.FindStringSubmatch(string(b))
	if m == nil || !strings.Contains(string(b), `id="recheck-now"`) {
		t.Fatalf("the link page has no recheck form:\n%.2000s", b)
	}
	req, _ := http.NewRequest(http.MethodPost, e.ui.URL+"/link/recheck",
		strings.NewReader(url.Values{"csrf": {html.UnescapeString(m[1])}, "url": {e.link}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.ui.URL)
	resp, err = e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.RawQuery, "recheck=") {
		t.Fatalf("recheck answered %d at %s:\n%.1500s", resp.StatusCode, resp.Request.URL, b)
	}
	return string(b)
}

func (e *recheckEnv) state(t *testing.T) store.Link {
	t.Helper()
	l, err := e.r.Catalog().LinkByURL(context.Background(), e.link)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRecheckNow(t *testing.T) {
	t.Parallel()
	e := newRecheckEnv(t)
	page := e.press(t)
	if l := e.state(t); l.State != store.StateAlive || l.LastStatus != 200 {
		t.Fatalf("after a recheck of a 200: state %s, status %d", l.State, l.LastStatus)
	}
	if !strings.Contains(page, `id="recheck-flash"`) || !strings.Contains(page, "Rechecked just now") {
		t.Errorf("no outcome shown:\n%.2000s", page)
	}
	*e.status = http.StatusNotFound
	e.press(t)
	if l := e.state(t); l.State != store.StateSuspect || l.LastStatus != 404 || l.ConsecutiveFailures != 1 {
		t.Fatalf("after a recheck of a 404: state %s, status %d, failures %d", l.State, l.LastStatus, l.ConsecutiveFailures)
	}

	// While a run (another owner) holds the job lock: nothing is checked,
	// and the page says why.
	cat := e.r.Catalog()
	if err := cat.AcquireLock(context.Background(), job.LockName, "99@other-host", time.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	before := e.state(t).LastChecked
	page = e.press(t)
	if !strings.Contains(page, "A check run is in progress") {
		t.Errorf("busy recheck: no clear message:\n%.2000s", page)
	}
	if after := e.state(t).LastChecked; !after.Equal(before) {
		t.Error("the link was rechecked while the job lock was held")
	}
	if err := cat.ReleaseLock(context.Background(), job.LockName, "99@other-host"); err != nil {
		t.Fatal(err)
	}
}

func TestRecheckNeedsCSRF(t *testing.T) {
	t.Parallel()
	e := newRecheckEnv(t)
	resp, err := e.client.PostForm(e.ui.URL+"/link/recheck", url.Values{"url": {e.link}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a recheck without the form token: %d, want 403", resp.StatusCode)
	}
	if l := e.state(t); !l.LastChecked.IsZero() {
		t.Error("a forged form rechecked the link")
	}
}

// TestLinkPageActions checks restore and "copy the fixed link" on the
// fixture's dead link, which has local copies.
func TestLinkPageActions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *config.Config) { c.Web.BaseURL = "https://archive.example.org/linkrot" })
	resp, body := f.get(t, "/link?url="+url.QueryEscape(urlDead))
	wantStatus(t, resp, body, http.StatusOK)
	latest := f.snaps[urlDead][len(f.snaps[urlDead])-1]
	want := "https://archive.example.org/linkrot/web/20240601100000/" + urlDead
	for _, s := range []string{
		`id="restore"`, `/snapshot/` + strconv.FormatInt(latest.ID, 10) + `/raw?`,
		`<input id="fixed-url" type="text" readonly value="` + want + `">`,
		`data-versionurl=&#34;` + want + `&#34; data-versiondate=&#34;2024-06-01&#34;`,
	} {
		if !strings.Contains(body, s) {
			t.Errorf("link page lacks %s", s)
		}
	}
	// No recheck function given: no button.
	if strings.Contains(body, `id="recheck-now"`) {
		t.Error("a recheck button without a recheck function")
	}
	// A link without any copy offers none.
	_, body = f.get(t, "/link?url="+url.QueryEscape(urlSuspect))
	if strings.Contains(body, `id="fixed-url"`) || !strings.Contains(body, "No local copy to restore") {
		t.Error("a link without copies offers a fixed link or no note")
	}
}
