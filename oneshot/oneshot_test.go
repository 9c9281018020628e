package oneshot

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

// site is a simulated web with one URL per case of the strict policy.
type site struct {
	web *fakeweb.Web
	cfg *config.Config
	dir string
}

func newSite(t *testing.T) *site {
	t.Helper()
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	s := w.Site("docs.example.test")
	s.HTML("/alive", "Alive", "<p>here</p>")
	s.Status("/gone404", 404)
	s.Status("/gone410", 410)
	s.Page("/busy", fakeweb.RetryAfterSeconds(429, -1, 3600, fakeweb.HTML("never", "")))
	s.Page("/slow-down", fakeweb.RetryAfterSeconds(503, -1, 30, fakeweb.HTML("never", "")))
	// HEAD and GET of the first check both get 503; the retry gets the page.
	s.Page("/flaky", fakeweb.AfterHits(1, fakeweb.Status(503), fakeweb.HTML("Back", "<p>back</p>")))
	dir := t.TempDir()
	ca, err := w.CAFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Crawler.PerHostInterval = 0
	cfg.Crawler.Timeout = config.Duration(5 * time.Second)
	cfg.Network = config.Network{Resolve: w.Resolve(), ResolveOnly: true, AllowPrivate: true, CAFile: ca}
	return &site{web: w, cfg: cfg, dir: dir}
}

func (s *site) doc(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(s.dir, "docs", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const page = `# Notes

Working: https://docs.example.test/alive
Removed: https://docs.example.test/gone404
Gone for good: https://docs.example.test/gone410
No such host: https://nowhere.invalid-host.test/page
Rate limited: https://docs.example.test/busy
Flaky: https://docs.example.test/flaky
Indicator: hxxps://evil[.]example.test/payload
`

func byURL(r *Report) map[string]Link {
	m := map[string]Link{}
	for _, l := range r.Links {
		m[l.URL] = l
	}
	return m
}

func TestStrictPolicy(t *testing.T) {
	s := newSite(t)
	s.doc(t, "notes.md", page)
	var stream bytes.Buffer
	start := time.Now()
	rep, err := Run(context.Background(), []string{filepath.Join(s.dir, "docs")}, Options{
		Config: s.cfg, Budget: 20 * time.Second, Stream: &stream, TempDir: s.dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("run took %s: a long Retry-After must not be waited for", took)
	}
	got := byURL(rep)
	want := map[string]Verdict{
		"https://docs.example.test/alive":        Alive,
		"https://docs.example.test/gone404":      Dead,
		"https://docs.example.test/gone410":      Dead,
		"https://nowhere.invalid-host.test/page": Dead,
		"https://docs.example.test/busy":         Throttled,
		"https://docs.example.test/flaky":        Alive,
	}
	for u, v := range want {
		l, ok := got[u]
		if !ok {
			t.Errorf("%s not in the report", u)
			continue
		}
		if l.Verdict != v {
			t.Errorf("%s: verdict %s (%s, %d, %q), want %s", u, l.Verdict, l.Class, l.Status, l.Reason, v)
		}
	}
	if l := got["https://docs.example.test/gone404"]; l.Checks != 1 || len(l.Where) != 1 || l.Where[0].Line != 4 {
		t.Errorf("404: %d checks at %+v; want one check, used at line 4", l.Checks, l.Where)
	}
	if l := got["https://nowhere.invalid-host.test/page"]; l.Class != "dns_nxdomain" {
		t.Errorf("unknown host: class %s, want dns_nxdomain", l.Class)
	}
	if l := got["https://docs.example.test/flaky"]; l.Checks != 2 {
		t.Errorf("503-once: %d checks, want 2 (retried, then alive)", l.Checks)
	}
	if l := got["https://docs.example.test/busy"]; l.RetryAfter != time.Hour {
		t.Errorf("429: retry after %s, want 1h", l.RetryAfter)
	}
	if l := got["https://evil.example.test/payload"]; l.Verdict != Excluded || l.Checks != 0 {
		t.Errorf("defanged: %+v, want excluded, never checked", got["https://evil.example.test/payload"])
	}
	sm := rep.Summary
	if sm.Dead != 3 || sm.Broken != 3 || sm.Throttled != 1 || sm.Alive != 2 || sm.Documents != 1 || !rep.Broken() {
		t.Errorf("summary %+v", sm)
	}
	// Broken links come first in the report.
	if rep.Links[0].Verdict != Dead {
		t.Errorf("first link %s is %s, want a dead one first", rep.Links[0].URL, rep.Links[0].Verdict)
	}
	lines := strings.Split(strings.TrimSpace(stream.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("stream has %d lines, want 3 dead + 1 throttled:\n%s", len(lines), stream.String())
	}
	for _, frag := range []string{"DEAD      404          https://docs.example.test/gone404 (404 Not Found) in " + filepath.Join(s.dir, "docs", "notes.md") + ":4", "410", "dns_nxdomain", "THROTTLED"} {
		if !strings.Contains(stream.String(), frag) {
			t.Errorf("stream lacks %q:\n%s", frag, stream.String())
		}
	}
}

// A Retry-After the crawler would honour (30s) but the budget cannot
// afford is not waited for either.
func TestRetryAfterBeyondBudget(t *testing.T) {
	s := newSite(t)
	start := time.Now()
	rep, err := Run(context.Background(), []string{"https://docs.example.test/slow-down", "https://docs.example.test/alive"}, Options{
		Config: s.cfg, Budget: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s", took)
	}
	l := byURL(rep)["https://docs.example.test/slow-down"]
	if l.Verdict != Throttled || l.RetryAfter != 30*time.Second || l.Where[0].File != "" {
		t.Errorf("got %+v, want throttled after 30s, from the command line", l)
	}
	if rep.Broken() {
		t.Error("throttled counted as broken")
	}
}

func TestPrivateAddressHint(t *testing.T) {
	s := newSite(t)
	s.cfg.Network.AllowPrivate = false
	rep, err := Run(context.Background(), []string{"https://docs.example.test/alive", "https://docs.example.test/gone404"}, Options{Config: s.cfg})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Private != 2 || len(rep.Summary.Hints) == 0 || !strings.Contains(rep.Summary.Hints[0], "--allow-private") {
		t.Errorf("summary %+v: want 2 private and a hint naming --allow-private", rep.Summary)
	}
	rep, err = Run(context.Background(), []string{"https://docs.example.test/alive"}, Options{Config: s.cfg, AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Links[0].Verdict != Alive {
		t.Errorf("with AllowPrivate: %+v", rep.Links[0])
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("no links here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "no PATH"},
		{[]string{"not-a-url"}, `"not-a-url": no such file or folder`},
		{[]string{filepath.Join(dir, "*.md")}, "pattern matches no file"},
		{[]string{"ftp://example.org/x"}, `scheme "ftp"`},
		{[]string{"https:///path"}, "no host"},
		{[]string{empty}, "nothing to check"},
	} {
		_, err := Run(context.Background(), c.args, Options{TempDir: dir})
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want an InputError containing %q", c.args, err, c.want)
		}
	}
	// The temporary catalog is gone.
	if m, _ := filepath.Glob(filepath.Join(dir, "linkrot-once-*")); len(m) != 0 {
		t.Errorf("temporary catalogs left behind: %v", m)
	}
}

func TestFormats(t *testing.T) {
	s := newSite(t)
	s.doc(t, "a.md", "Fine https://docs.example.test/alive\nGone https://docs.example.test/gone410 | x\n")
	rep, err := Run(context.Background(), []string{filepath.Join(s.dir, "docs", "*.md")}, Options{Config: s.cfg, TempDir: s.dir})
	if err != nil {
		t.Fatal(err)
	}
	render := func(f string) string {
		var b bytes.Buffer
		if err := rep.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}

	text := render("text")
	if !strings.Contains(text, "DEAD") || !strings.Contains(text, "a.md:2") || !strings.Contains(text, "1 broken") || strings.Contains(text, "/alive") {
		t.Errorf("text:\n%s", text)
	}

	md := render("md")
	if !strings.Contains(md, "| dead | 410 | <https://docs.example.test/gone410> | 410 Gone |") {
		t.Errorf("markdown:\n%s", md)
	}

	var back Report
	if err := json.Unmarshal([]byte(render("json")), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Links) != 2 || back.Links[0].Verdict != Dead || back.Links[0].Status != 410 || back.Summary.Broken != 1 || back.Links[0].Where[0].Line != 2 {
		t.Errorf("json decoded to %+v", back)
	}

	var suites junitSuites
	if err := xml.Unmarshal([]byte(render("junit")), &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Tests != 2 || suites.Failures != 1 || len(suites.Suites) != 1 || len(suites.Suites[0].Cases) != 2 {
		t.Fatalf("junit: %+v", suites)
	}
	c := suites.Suites[0].Cases[0]
	if c.Name != "https://docs.example.test/gone410" || c.Failure == nil || !strings.Contains(c.Failure.Message, "410 Gone") ||
		!strings.HasSuffix(c.Classname, "a.md") || suites.Suites[0].Cases[1].Failure != nil {
		t.Errorf("junit cases: %+v", suites.Suites[0].Cases)
	}

	if err := rep.Write(&bytes.Buffer{}, "yaml"); err == nil || !strings.Contains(err.Error(), `"yaml"`) {
		t.Errorf("unknown format: %v", err)
	}
}

// Most hosts failing before any answer is this machine's outage, not
// link rot: the summary says so (the command then exits 1).
func TestOwnNetworkDown(t *testing.T) {
	s := newSite(t)
	var urls []string
	for _, h := range []string{"a.example.test", "b.example.test", "c.example.test"} {
		s.web.Site(h).Refuse()
		urls = append(urls, "https://"+h+"/")
	}
	s.cfg.Network.Resolve = s.web.Resolve()
	rep, err := Run(context.Background(), append(urls, "https://docs.example.test/alive"), Options{Config: s.cfg, Budget: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Summary.NetworkDown || rep.Summary.Failing != 3 {
		t.Errorf("summary %+v: want network down with 3 failing", rep.Summary)
	}
	l := byURL(rep)["https://a.example.test/"]
	if l.Class != "conn_refused" || l.Checks < 2 {
		t.Errorf("refused host: %+v; want conn_refused, retried within the budget", l)
	}
}

// A link that times out is retried, but no retry outlives the budget.
func TestTimeoutBoundedByBudget(t *testing.T) {
	s := newSite(t)
	s.web.Site("docs.example.test").Page("/hang", fakeweb.Hang())
	s.cfg.Crawler.Timeout = config.Duration(time.Second)
	start := time.Now()
	rep, err := Run(context.Background(), []string{"https://docs.example.test/hang"}, Options{Config: s.cfg, Budget: 2500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("took %s with a 2.5s budget and 1s timeout", took)
	}
	l := rep.Links[0]
	if l.Verdict != Failing || l.Class != "timeout" || !rep.Broken() {
		t.Errorf("got %+v, want failing with class timeout", l)
	}
}

// stampWriter notes when each line arrived.
type stampWriter struct {
	start time.Time
	at    []time.Duration
	lines []string
}

func (w *stampWriter) Write(p []byte) (int, error) {
	w.at = append(w.at, time.Since(w.start))
	w.lines = append(w.lines, string(p))
	return len(p), nil
}

// A broken link is streamed when found, not when the run ends.
func TestStreamsAsFound(t *testing.T) {
	s := newSite(t)
	s.web.Site("slow.example.test").Page("/", fakeweb.Delay(2*time.Second, fakeweb.HTML("Slow", "<p>slow</p>")))
	s.cfg.Network.Resolve = s.web.Resolve()
	w := &stampWriter{start: time.Now()}
	rep, err := Run(context.Background(), []string{"https://slow.example.test/", "https://docs.example.test/gone404"}, Options{Config: s.cfg, Stream: w})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(w.start)
	if len(w.lines) != 1 || !strings.Contains(w.lines[0], "gone404") {
		t.Fatalf("stream: %q", w.lines)
	}
	if took < 2*time.Second || w.at[0] > took-time.Second {
		t.Errorf("the dead link was streamed at %s of a %s run; want it well before the slow link finished", w.at[0], took)
	}
	if byURL(rep)["https://slow.example.test/"].Verdict != Alive {
		t.Errorf("slow link: %+v", byURL(rep)["https://slow.example.test/"])
	}
}
