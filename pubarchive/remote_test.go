package pubarchive

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

// The public archives of these tests are fakeweb Archives: one host serves
// the availability API, the CDX API, the TimeGate, the TimeMaps and the
// mementos, as web.archive.org does (archive.org's availability API aside).
const (
	archiveHost = "archive.test"
	pageURL     = "http://example.com/page"
)

// newFakeWeb starts a simulated internet that the test closes when it ends.
func newFakeWeb(t *testing.T) *fakeweb.Web {
	t.Helper()
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// waybackAt configures the Wayback endpoints of a fakeweb Archive on host.
func waybackAt(host string) config.Wayback {
	return config.Wayback{
		Enabled:         true,
		AvailabilityURL: "https://" + host + "/wayback/available",
		CDXURL:          "https://" + host + "/cdx/search/cdx",
	}
}

// mementoAt configures the TimeGates of fakeweb Archives on hosts.
func mementoAt(hosts ...string) config.Memento {
	m := config.Memento{Enabled: true}
	for _, h := range hosts {
		m.Timegates = append(m.Timegates, "https://"+h+"/timegate/")
	}
	return m
}

// newTestRemote returns a Remote that talks only to w, over real loopback
// HTTPS with w's CA, with a timeout so no test can hang.
func newTestRemote(w *fakeweb.Web, cfg config.External) *Remote {
	return NewRemote(cfg, w.Client(), RemoteOptions{UserAgent: "linkrot-test/1", Timeout: 10 * time.Second})
}

// addHistory gives archive a page's history: two good captures before the
// day it is cited (2014-09-29), a 404 capture just before that day, a
// redirect just after, a good one later and a 404 once it has died.
func addHistory(a *fakeweb.Archive) {
	a.Add(pageURL, when(2010, 1, 1, 0, 0, 0), 200, "<html><body><p>first</p></body></html>")
	a.Add(pageURL, when(2014, 1, 26, 20, 8, 4), 200, "<html><body><p>as cited</p></body></html>")
	a.Add(pageURL, when(2014, 9, 20, 0, 0, 0), 404, "<html><body>not found (a glitch)</body></html>")
	a.Add(pageURL, when(2014, 10, 15, 0, 0, 0), 301, "moved")
	a.Add(pageURL, when(2015, 3, 1, 0, 0, 0), 200, "<html><body><p>later</p></body></html>")
	a.Add(pageURL, when(2020, 1, 1, 0, 0, 0), 404, "<html><body>gone</body></html>")
}

// requests counts what reached host with a path starting with prefix.
func requests(w *fakeweb.Web, host, prefix string) int {
	n := 0
	for _, r := range w.Requests() {
		if r.Host == host && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

func replayURL(host, stamp, original string) string {
	return "https://" + host + "/web/" + stamp + "/" + original
}

func TestFindWayback(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	r := newTestRemote(w, config.External{Wayback: waybackAt(archiveHost)})

	for _, tc := range []struct {
		name      string
		firstSeen time.Time
		want      string // timestamp of the chosen capture
		cdx       int    // CDX requests expected
	}{
		{"closest before skips the 404 just before", when(2014, 9, 29, 12, 0, 0), "20140126200804", 1},
		{"closest before skips the redirect and the 404", when(2014, 10, 20, 0, 0, 0), "20140126200804", 1},
		{"availability already precise: no CDX", when(2014, 2, 1, 0, 0, 0), "20140126200804", 0},
		{"the moment of capture counts as before", when(2014, 1, 26, 20, 8, 4), "20140126200804", 0},
		{"nothing before: the closest after", when(2009, 6, 1, 0, 0, 0), "20100101000000", 2},
		{"long dead: the last good one", when(2021, 1, 1, 0, 0, 0), "20150301000000", 1},
		{"zero firstSeen: the latest good one", time.Time{}, "20150301000000", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.ResetHits()
			c, err := r.Find(context.Background(), pageURL, tc.firstSeen)
			if err != nil {
				t.Fatal(err)
			}
			want := RemoteCopy{
				URL:      replayURL(archiveHost, tc.want, pageURL),
				Original: pageURL,
				Time:     mustWaybackTime(t, tc.want),
				Status:   200,
				Source:   "wayback",
			}
			if c != want {
				t.Errorf("got  %+v\nwant %+v", c, want)
			}
			if n := requests(w, archiveHost, "/cdx/"); n != tc.cdx {
				t.Errorf("%d CDX requests, want %d", n, tc.cdx)
			}
		})
	}

	t.Run("user agent and loopback only", func(t *testing.T) {
		for _, req := range w.Requests() {
			if req.UserAgent != "linkrot-test/1" || req.Host != archiveHost {
				t.Errorf("request %s %s%s with User-Agent %q", req.Method, req.Host, req.Path, req.UserAgent)
			}
		}
	})
}

func mustWaybackTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := parseWaybackTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestFindNone(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	// Only bad captures of this one.
	w.Archive(archiveHost).Add("http://example.com/broken", when(2014, 1, 1, 0, 0, 0), 404, "no")
	r := newTestRemote(w, config.External{Wayback: waybackAt(archiveHost), Memento: mementoAt(archiveHost)})
	c, err := r.Find(context.Background(), "http://never.example/", when(2015, 1, 1, 0, 0, 0))
	if err != ErrNoRemoteCopy {
		t.Errorf("never archived: %+v, %v; want exactly ErrNoRemoteCopy", c, err)
	}
	// Wayback alone, which knows capture statuses: a 404 capture is no copy.
	r = newTestRemote(w, config.External{Wayback: waybackAt(archiveHost)})
	c, err = r.Find(context.Background(), "http://example.com/broken", when(2015, 1, 1, 0, 0, 0))
	if err != ErrNoRemoteCopy {
		t.Errorf("only a 404 capture: %+v, %v; want exactly ErrNoRemoteCopy", c, err)
	}

	off := newTestRemote(w, config.External{})
	if _, err := off.Find(context.Background(), pageURL, time.Time{}); !errors.Is(err, ErrNoRemoteCopy) ||
		!strings.Contains(err.Error(), "no public archive is enabled") {
		t.Errorf("nothing enabled: %v", err)
	}
	if _, err := off.Find(context.Background(), "example.com/page", time.Time{}); err == nil ||
		!strings.Contains(err.Error(), `"example.com/page" is not an absolute http(s) URL`) {
		t.Errorf("relative URL: %v", err)
	}
}

func TestFindMemento(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	a := w.Archive("mementos.test")
	for _, d := range []time.Time{when(2010, 1, 1, 0, 0, 0), when(2013, 5, 5, 0, 0, 0), when(2014, 9, 1, 0, 0, 0), when(2014, 10, 5, 0, 0, 0), when(2018, 1, 1, 0, 0, 0)} {
		a.Add(pageURL, d, 200, "<p>memento</p>")
	}
	r := newTestRemote(w, config.External{Memento: mementoAt("mementos.test")})
	for _, tc := range []struct {
		name      string
		firstSeen time.Time
		want      time.Time
		timemaps  int
	}{
		// The gate's answer (2014-09-01) is before: no TimeMap needed.
		{"answer before", when(2014, 9, 10, 0, 0, 0), when(2014, 9, 1, 0, 0, 0), 0},
		// The gate answers 2014-10-05, after; its links (first, answer,
		// last) do not show what lies before, so the TimeMap does.
		{"answer after: TimeMap", when(2014, 9, 30, 0, 0, 0), when(2014, 9, 1, 0, 0, 0), 1},
		// The first memento is after: nothing before, the links settle it.
		{"nothing before", when(2009, 1, 1, 0, 0, 0), when(2010, 1, 1, 0, 0, 0), 0},
		{"latest", time.Time{}, when(2018, 1, 1, 0, 0, 0), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.ResetHits()
			c, err := r.Find(context.Background(), pageURL, tc.firstSeen)
			if err != nil {
				t.Fatal(err)
			}
			want := RemoteCopy{
				URL:      replayURL("mementos.test", waybackStamp(tc.want), pageURL),
				Original: pageURL,
				Time:     tc.want,
				Status:   0, // TimeGates do not say
				Source:   "memento:mementos.test",
			}
			if c != want {
				t.Errorf("got  %+v\nwant %+v", c, want)
			}
			if n := requests(w, "mementos.test", "/timemap/"); n != tc.timemaps {
				t.Errorf("%d TimeMap requests, want %d", n, tc.timemaps)
			}
		})
	}
}

// TestFindAcrossSources ranks copies from Wayback and two more archives.
func TestFindAcrossSources(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	other := w.Archive("other.test")
	other.Add(pageURL, when(2014, 6, 1, 0, 0, 0), 200, "<p>other</p>")
	late := w.Archive("late.test")
	late.Add(pageURL, when(2014, 11, 1, 0, 0, 0), 200, "<p>late</p>")
	cfg := config.External{Wayback: waybackAt(archiveHost), Memento: mementoAt(archiveHost, "other.test", "late.test")}
	r := newTestRemote(w, cfg)
	ctx := context.Background()

	// Before firstSeen, a verified 200 from Wayback (2014-01-26) wins over
	// closer mementos of unknown status: the TimeGate on archive.test
	// offers the 404 capture of 2014-09-20, other.test a copy of 2014-06.
	c, err := r.Find(ctx, pageURL, when(2014, 9, 29, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != "wayback" || c.Time != when(2014, 1, 26, 20, 8, 4) {
		t.Errorf("got %+v, want Wayback's 2014-01-26", c)
	}

	// Nothing verified before 2009-06: an unverified memento before beats
	// verified copies after.
	r2 := newTestRemote(w, config.External{Wayback: waybackAt(archiveHost), Memento: mementoAt("other.test", "late.test")})
	w.Archive("other.test").Add(pageURL, when(2008, 1, 1, 0, 0, 0), 200, "<p>old</p>")
	c, err = r2.Find(ctx, pageURL, when(2009, 6, 1, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != "memento:other.test" || c.Time != when(2008, 1, 1, 0, 0, 0) {
		t.Errorf("got %+v, want other.test's 2008 memento", c)
	}

	// Only copies after firstSeen: a verified one (Wayback's 2010) wins
	// over a closer memento of unknown status (other.test's 2008).
	c, err = r.Find(ctx, pageURL, when(2007, 1, 1, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != "wayback" || c.Time != when(2010, 1, 1, 0, 0, 0) {
		t.Errorf("got %+v, want Wayback's 2010", c)
	}
}

func TestFindSourceFailures(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	w.Archive("other.test").Add(pageURL, when(2012, 1, 1, 0, 0, 0), 200, "<p>other</p>")
	// Wayback is down for maintenance (both APIs answer 503).
	w.Site("down.test").Fallback(fakeweb.Status(http.StatusServiceUnavailable))
	w.Site("dead.test").Down()
	ctx := context.Background()

	// A failing source does not hide another's copy.
	r := newTestRemote(w, config.External{Wayback: waybackAt("down.test"), Memento: mementoAt("dead.test", "other.test")})
	c, err := r.Find(ctx, pageURL, when(2014, 9, 29, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != "memento:other.test" || c.Time != when(2012, 1, 1, 0, 0, 0) {
		t.Errorf("got %+v", c)
	}

	// None found and some failed: the failures, joined, each naming its
	// service and URL; not ErrNoRemoteCopy, since we could not tell.
	_, err = r.Find(ctx, "http://never.example/", when(2014, 9, 29, 0, 0, 0))
	if err == nil || errors.Is(err, ErrNoRemoteCopy) {
		t.Fatalf("err %v: want failures, not ErrNoRemoteCopy", err)
	}
	for _, want := range []string{
		"no public archive copy of http://never.example/ found, and 2 of 3 sources failed",
		"wayback availability API at https://down.test/wayback/available?timestamp=20140929000000&url=http%3A%2F%2Fnever.example%2F: status 503",
		"wayback CDX API at https://down.test/cdx/search/cdx?",
		"memento TimeGate at https://dead.test/timegate/http://never.example/: ",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\ndoes not contain %q", err, want)
		}
	}
	var re *RemoteError
	if !errors.As(err, &re) {
		t.Errorf("no RemoteError in %v", err)
	}

	// CDX failing alone: the availability answer (a 200 after firstSeen)
	// is still a copy.
	w.Site(archiveHost).Page("/cdx/search/cdx", fakeweb.Status(http.StatusTooManyRequests))
	r = newTestRemote(w, config.External{Wayback: waybackAt(archiveHost)})
	c, err = r.Find(ctx, pageURL, when(2009, 6, 1, 0, 0, 0))
	if err != nil || c.Time != when(2010, 1, 1, 0, 0, 0) {
		t.Errorf("CDX down: %+v, %v; want the availability answer", c, err)
	}
}

func TestFindCancelled(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	r := newTestRemote(w, config.External{Wayback: waybackAt(archiveHost), Memento: mementoAt(archiveHost)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.Find(ctx, pageURL, time.Time{})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrNoRemoteCopy) {
		t.Errorf("err %v, want context.Canceled and not ErrNoRemoteCopy", err)
	}
}

func TestRemoteTimeout(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	w.Site("slow.test").Fallback(fakeweb.Hang())
	r := NewRemote(config.External{Wayback: waybackAt("slow.test")}, w.Client(), RemoteOptions{Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, _, err := r.WaybackAvailable(context.Background(), pageURL, time.Time{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want a deadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestBetterCopy(t *testing.T) {
	t.Parallel()
	seen := when(2014, 9, 29, 0, 0, 0)
	wb := func(t time.Time) RemoteCopy { return RemoteCopy{Time: t, Status: 200, Source: "wayback"} }
	mm := func(t time.Time) RemoteCopy { return RemoteCopy{Time: t, Source: "memento:x"} }
	for _, tc := range []struct {
		name string
		a, b RemoteCopy
		at   time.Time
		want bool
	}{
		{"before beats after", wb(when(2010, 1, 1, 0, 0, 0)), wb(when(2014, 9, 30, 0, 0, 0)), seen, true},
		{"closer before wins", wb(when(2014, 1, 1, 0, 0, 0)), wb(when(2010, 1, 1, 0, 0, 0)), seen, true},
		{"closer after wins", wb(when(2015, 1, 1, 0, 0, 0)), wb(when(2016, 1, 1, 0, 0, 0)), seen, true},
		{"at firstSeen is before", wb(seen), wb(seen.Add(time.Second)), seen, true},
		{"verified beats closer unverified on the same side", wb(when(2010, 1, 1, 0, 0, 0)), mm(when(2014, 9, 1, 0, 0, 0)), seen, true},
		{"unverified before beats verified after", mm(when(2010, 1, 1, 0, 0, 0)), wb(when(2014, 9, 30, 0, 0, 0)), seen, true},
		{"equal: keep the first", wb(seen), wb(seen), seen, false},
		{"latest wins without firstSeen", wb(when(2020, 1, 1, 0, 0, 0)), wb(when(2019, 1, 1, 0, 0, 0)), time.Time{}, true},
		{"verified first without firstSeen", wb(when(2019, 1, 1, 0, 0, 0)), mm(when(2020, 1, 1, 0, 0, 0)), time.Time{}, true},
	} {
		if got := betterCopy(tc.a, tc.b, tc.at); got != tc.want {
			t.Errorf("%s: betterCopy = %v", tc.name, got)
		}
		if tc.want && betterCopy(tc.b, tc.a, tc.at) {
			t.Errorf("%s: not antisymmetric", tc.name)
		}
	}
}

func TestCapReader(t *testing.T) {
	t.Parallel()
	buf := make([]byte, 64)
	n, err := readAllCapped(strings.Repeat("x", 10), 10, buf)
	if err != nil || n != 10 {
		t.Errorf("exactly the limit: %d, %v", n, err)
	}
	_, err = readAllCapped(strings.Repeat("x", 11), 10, buf)
	var tl *tooLargeError
	if !errors.As(err, &tl) || err.Error() != "response larger than 10 bytes" {
		t.Errorf("over the limit: %v", err)
	}
	if got := (&tooLargeError{5 << 20}).Error(); got != "response larger than 5 MiB" {
		t.Errorf("%q", got)
	}
}

func readAllCapped(s string, limit int64, buf []byte) (int, error) {
	r := newCapReader(strings.NewReader(s), limit)
	total := 0
	for {
		n, err := r.Read(buf)
		total += n
		if err != nil {
			if err.Error() == "EOF" {
				return total, nil
			}
			return total, err
		}
	}
}
