package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/linkrot/linkrot/internal/testkit"
)

// The UI in a real browser (headless Chromium driven over the DevTools
// protocol): the dashboard, a dead link's page, its snapshot, and the
// run-now button, with screenshots kept in the test's artifact directory
// (go test -artifacts keeps them). The archived page carries a script
// that marks the document and POSTs to /run; it must never run.
//
// Chromium is told to load nothing but the test server: every host name
// but 127.0.0.1 resolves to nothing, anything that would go out goes to a
// closed loopback port, and the background services that phone home are
// off. Every request the page makes is recorded and checked.

func TestBrowser(t *testing.T) {
	t.Parallel()
	bin := testkit.Chromium(t, "the UI")
	f := newFixture(t, nil)
	shots := t.ArtifactDir()

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
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("hide-scrollbars", true),
		// Nothing but the test server can be reached.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.ProxyServer("http://127.0.0.1:9"), // loopback bypasses it; anything else dead-ends
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	actx, cancelA := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()

	type request struct {
		id  network.RequestID
		url string
	}
	var (
		mu       sync.Mutex
		requests []request
		blocked  = map[network.RequestID]network.BlockedReason{}
		console  []string
	)
	// Listen, not Events: the handler records in arrival order under a
	// lock and returns at once, as the library asks.
	err := chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, request{e.RequestID, e.Request.URL})
		case *network.EventLoadingFailed:
			blocked[e.RequestID] = e.BlockedReason
		case *log.EventEntryAdded:
			console = append(console, e.Entry.Text)
		}
	})
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	takeConsole := func() []string {
		mu.Lock()
		defer mu.Unlock()
		c := console
		console = nil
		return c
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	outer := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("HTML of %s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100)) // 100: PNG; less is JPEG
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// 1. The dashboard.
	do("dashboard",
		chromedp.Navigate(f.ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("run-now")),
	)
	if h, n := text("h1"), text("li.state-dead .n"); h != "Dashboard" || n != "2" {
		t.Errorf("dashboard: heading %q, dead %q", h, n)
	}
	if !strings.Contains(outer("figure.chart"), "<polyline") {
		t.Error("the dashboard has no plot")
	}
	shot("dashboard.png")

	// 2. From the dead count to the dead link's page.
	do("dead link",
		chromedp.Click(chromedp.CSS("li.state-dead a")),
		chromedp.WaitVisible(chromedp.ID("links")),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`td.url a[href="/link?url=%s"]`, urlQueryEscape(urlDead)))),
		chromedp.WaitVisible(chromedp.ID("link-state")),
		// Open the repair evidence, so the screenshot shows it.
		chromedp.Click(chromedp.CSS("details.evidence summary")),
	)
	if st, occ := text("#link-state"), text("table.occurrences"); st != "dead" ||
		!strings.Contains(occ, "notes/reading.md") || !strings.Contains(occ, "joined line wrap") {
		t.Errorf("link page: state %q, occurrences %q", st, occ)
	}
	shot("link.png")
	if c := takeConsole(); len(c) > 0 {
		t.Errorf("the UI's own pages logged: %q", c)
	}

	// 3. Its newest snapshot in the viewer: framed, and out of reach of
	// the UI (a sandboxed frame has an opaque origin, so the UI cannot
	// read it and it cannot read the UI).
	do("snapshot viewer",
		chromedp.Click(chromedp.CSS("a.view-snapshot")),
		chromedp.WaitVisible(chromedp.CSS("iframe.snapshot")),
		chromedp.Sleep(300*time.Millisecond), // let the frame paint for the screenshot
	)
	reachable, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector("iframe.snapshot").contentDocument !== null`))
	if err != nil {
		t.Fatal(err)
	}
	if h := text("h1"); h != "Harbour Board Votes" || reachable {
		t.Errorf("viewer: title %q, frame reachable from the UI %v", h, reachable)
	}
	shot("snapshot.png")

	// 4. The readable copy alone, and the raw capture (which still holds
	// the script) as a page of its own: neither runs anything. The DOM is
	// read through the DOM domain, not by evaluating script in a page that
	// forbids script.
	// Navigate rather than click: the viewer has a <main> too, so waiting
	// for one after a click could read the page being left.
	href, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.ID("open-readable"), "href"))
	if err != nil || !href.Exists {
		t.Fatalf("no link to the readable copy: %v", err)
	}
	do("readable copy",
		chromedp.Navigate(f.ts.URL+href.Value),
		chromedp.WaitReady(chromedp.CSS("div.lr-article")),
	)
	if h := outer("html"); !strings.Contains(h, "interlocking concrete blocks") || strings.Contains(h, "<script") {
		t.Errorf("readable copy:\n%.400s", h)
	}
	shot("readable.png")
	do("original capture",
		chromedp.Navigate(fmt.Sprintf("%s/snapshot/%d/original", f.ts.URL, f.snaps[urlDead][2].ID)),
		chromedp.WaitReady(chromedp.CSS("article")),
		chromedp.Sleep(200*time.Millisecond), // time for a script to run, were it allowed
	)
	pwned, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS("html"), "data-pwned"))
	if err != nil {
		t.Fatal(err)
	}
	if h := outer("html"); pwned.Exists || !strings.Contains(h, "interlocking concrete blocks") || !strings.Contains(h, "<script>") {
		t.Errorf("the archived page's script ran (data-pwned %v), or this is not the raw page:\n%.300s", pwned.Exists, h)
	}
	shot("original.png")
	sandboxed := false
	for _, c := range takeConsole() {
		t.Logf("Chromium on the archived page: %s", c)
		sandboxed = sandboxed || strings.Contains(c, "sandboxed")
	}
	if !sandboxed {
		t.Error("Chromium did not report the archived page's script as blocked by the sandbox")
	}
	if n := f.runs.Load(); n != 0 {
		t.Fatalf("archived content started %d runs", n)
	}

	// 5. Run now.
	do("run now",
		chromedp.Navigate(f.ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("run-now")),
		chromedp.Click(chromedp.ID("run-now")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if n, fl := f.runs.Load(), text(".flash"); n != 1 || !strings.Contains(fl, "A run has started") {
		t.Errorf("run now: %d runs, flash %q", n, fl)
	}
	shot("after-run-now.png")

	// Everything the browser fetched was on the test server. The archived
	// page's tracker image shows up as a request the page wanted, which
	// the sandbox policy blocked before it left the browser.
	mu.Lock()
	defer mu.Unlock()
	if len(requests) < 8 {
		t.Errorf("only %d requests recorded: %v", len(requests), requests)
	}
	stopped := 0
	for _, r := range requests {
		if strings.HasPrefix(r.url, f.ts.URL+"/") || strings.HasPrefix(r.url, "data:") || r.url == "about:blank" {
			continue
		}
		if blocked[r.id] == network.BlockedReasonCsp {
			stopped++
			continue
		}
		t.Errorf("the browser requested %s", r.url)
	}
	if stopped == 0 {
		t.Error("the archived page's remote image was not seen being blocked by the policy")
	}
	t.Logf("%d requests to the test server, %d blocked by the snapshot policy; screenshots in %s",
		len(requests)-stopped, stopped, shots)
}
