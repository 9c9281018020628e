package web

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/testkit"
)

// chrome is a headless Chromium that reaches nothing but loopback, with
// everything the pages log (console messages, CSP reports, uncaught
// errors) collected.
type chrome struct {
	t       *testing.T
	ctx     context.Context
	mu      sync.Mutex
	console []string
	shots   string
}

func newChrome(t *testing.T) *chrome {
	t.Helper()
	bin := testkit.Chromium(t, "the UI's pages")
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.ProxyServer("http://127.0.0.1:9"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelA)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(cancelB)
	c := &chrome{t: t, ctx: bctx, shots: t.ArtifactDir()}
	if err := chromedp.Listen(bctx, func(ev any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			c.console = append(c.console, string(e.Entry.Level)+": "+e.Entry.Text+" ("+e.Entry.URL+")")
		case *runtime.EventConsoleAPICalled:
			c.console = append(c.console, "console."+string(e.Type))
		case *runtime.EventExceptionThrown:
			c.console = append(c.console, "exception: "+e.ExceptionDetails.Text)
		}
	}); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(bctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, runtime.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return c
}

// visit loads url, waits for sel, and fails on anything the page logged.
func (c *chrome) visit(name, url, sel string) { c.visitStatus(name, url, sel, 0) }

// visitStatus is visit for a page answered with an error status, which
// Chromium logs as a failed load of the page itself; only that is allowed.
func (c *chrome) visitStatus(name, url, sel string, status int) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		c.t.Fatalf("%s (%s): %v", name, url, err)
	}
	if status != 0 {
		c.drop(fmt.Sprintf("status of %d", status))
	}
	c.settle(name)
}

// drop forgets the messages logged so far that contain s.
func (c *chrome) drop(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var keep []string
	for _, m := range c.console {
		if !strings.Contains(m, s) {
			keep = append(keep, m)
		}
	}
	c.console = keep
}

// settle waits a moment for late messages, takes a screenshot and checks
// the console.
func (c *chrome) settle(name string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.Sleep(150*time.Millisecond)); err != nil {
		c.t.Fatal(err)
	}
	png, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(c.shots, name+".png"), png, 0o644); err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	msgs := c.console
	c.console = nil
	c.mu.Unlock()
	if len(msgs) > 0 {
		c.t.Errorf("%s: the page logged %q", name, msgs)
	}
}

// texts is the text of every element sel matches, trimmed. DevTools'
// evaluation is not page script: the pages' script-src 'none' allows it.
func (c *chrome) texts(sel string) []string {
	c.t.Helper()
	q, _ := json.Marshal(sel)
	out, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll(`+string(q)+`), e => e.textContent.trim())`))
	if err != nil {
		c.t.Fatalf("texts of %s: %v", sel, err)
	}
	return out
}

func (c *chrome) attr(sel, name string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil || !v.Exists {
		c.t.Fatalf("%s[%s]: %v", sel, name, err)
	}
	return v.Value
}

// TestBrowserEveryPage loads every page of the UI in Chromium: none logs
// anything (no CSP violation, no error), and each shows what it is for.
func TestBrowserEveryPage(t *testing.T) {
	t.Parallel()
	c := newChrome(t)
	f := newFixture(t, func(cfg *config.Config) { cfg.Web.BaseURL = "https://notes.example.org/linkrot" })
	u := f.ts.URL

	c.visit("dashboard", u+"/", "figure.chart")
	if n := c.texts("li.state-dead .n"); len(n) != 1 || n[0] != "2" {
		t.Errorf("dashboard dead card %q", n)
	}
	if labels := c.texts("text.xlabel"); len(labels) < 2 || labels[len(labels)-1] != "now" {
		t.Errorf("chart x labels %q", labels)
	}

	// The links table: dead first, with reason, since and copy.
	c.visit("links", u+"/links", "#links")
	states := c.texts("#links tbody tr td:first-child")
	if len(states) < 5 || states[0] != "dead" || states[1] != "dead" || states[2] != "suspect" {
		t.Errorf("links order by state: %q", states[:min(len(states), 6)])
	}
	if copies := c.texts("#links td.copy"); len(copies) < 2 || copies[0] != "local" || copies[1] != "none" {
		t.Errorf("copy column: %q", copies[:min(len(copies), 3)])
	}
	if heads := strings.Join(c.texts("#links thead th"), "|"); !strings.Contains(heads, "Reason|Since|Copy") {
		t.Errorf("links columns %q", heads)
	}

	// The dead link's page: its actions.
	c.visit("link", u+"/link?url="+urlQueryEscape(urlDead), "#actions")
	if v := c.attr("#fixed-url", "value"); v != "https://notes.example.org/linkrot/web/20240601100000/"+urlDead {
		t.Errorf("fixed link %q", v)
	}
	if ro := c.attr("#fixed-url", "readonly"); ro != "" {
		t.Errorf("readonly=%q", ro)
	}
	if r := c.texts("#restore"); len(r) != 1 || !strings.Contains(r[0], "view the local copy") {
		t.Errorf("restore: %q", r)
	}

	// Its TimeMap, which a browser shows instead of downloading.
	c.visit("timemap", u+"/timemap/link/"+urlDead, "#timemap")
	if rows := c.texts("#timemap tbody tr"); len(rows) != len(snapTimes) {
		t.Errorf("timemap rows %q", rows)
	}

	c.visit("snapshot", fmt.Sprintf("%s/snapshot/%d?link=%s", u, f.snaps[urlDead][2].ID, urlQueryEscape(urlDead)), "iframe.snapshot")
	if n := c.texts(".archived-note"); len(n) != 0 {
		t.Errorf("the readable view repeats the banner: %q", n)
	}

	c.visit("runs", u+"/runs", "main table")
	c.visit("report", u+"/runs/3/report", "nav.ui-nav")
	if back := c.attr(`nav.ui-nav a[href="/"]`, "href"); back != "/" {
		t.Errorf("report back link %q", back)
	}
	c.visitStatus("not-found", u+"/no/such/page", "main", 404)
}

// TestBrowserLoginFlow logs in with the token through the form, sees the
// dashboard, and logs out.
func TestBrowserLoginFlow(t *testing.T) {
	t.Parallel()
	c := newChrome(t)
	f := newFixture(t, func(cfg *config.Config) { cfg.Web.Auth = config.Auth{Token: "s3cret-token"} })
	u := f.ts.URL

	c.visit("login", u+"/links", "#login-form")
	if err := chromedp.Do(c.ctx,
		chromedp.SendKeys(chromedp.ID("login-token"), "wrong"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("login-failed")),
	); err != nil {
		t.Fatal(err)
	}
	// The 401 of a failed login is logged by Chromium as a failed load;
	// that is the point of the page, not an error of it.
	c.drop("status of 401")
	c.settle("login-failed")
	if err := chromedp.Do(c.ctx,
		chromedp.SendKeys(chromedp.ID("login-token"), "s3cret-token"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("links")), // back where it was going
	); err != nil {
		t.Fatal(err)
	}
	c.settle("after-login")
	if states := c.texts("#links tbody tr td:first-child"); len(states) == 0 || states[0] != "dead" {
		t.Errorf("after login, links: %q", states)
	}
	if err := chromedp.Do(c.ctx,
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-form")),
	); err != nil {
		t.Fatal(err)
	}
	c.settle("after-logout")
	// Logged out: the dashboard sends the browser back to the form.
	c.visit("after-logout-dashboard", u+"/", "#login-form")
}

// TestBrowserRecheck presses "recheck now" in Chromium on a real Runner's
// link: the page comes back with the outcome and the new state.
func TestBrowserRecheck(t *testing.T) {
	t.Parallel()
	c := newChrome(t)
	e := newRecheckEnv(t)
	c.visit("recheck-before", e.ui.URL+"/link?url="+urlQueryEscape(e.link), "#recheck-now")
	if err := chromedp.Do(c.ctx,
		chromedp.Click(chromedp.ID("recheck-now")),
		chromedp.WaitVisible(chromedp.ID("recheck-flash")),
	); err != nil {
		t.Fatal(err)
	}
	c.settle("recheck-after")
	if fl, st := c.texts("#recheck-flash"), c.texts("#link-state"); len(fl) != 1 || !strings.Contains(fl[0], "Rechecked just now") ||
		len(st) != 1 || st[0] != "alive" {
		t.Errorf("after recheck: flash %q, state %q", fl, st)
	}
}
