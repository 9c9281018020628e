package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/pubarchive"
)

// The Memento endpoints over real HTTP on loopback, headers checked to the
// letter of RFC 7089.

func stampOf(t time.Time) string { return t.UTC().Format("20060102150405") }

// parseLinks parses a Link header or TimeMap body with the archive's own
// parser, failing the test on a syntax error.
func parseLinks(t *testing.T, what, s string) pubarchive.Links {
	t.Helper()
	entries, err := pubarchive.ParseLinkFormat(s)
	if err != nil {
		t.Fatalf("%s does not parse as link-format: %v\n%s", what, err, s)
	}
	return pubarchive.Links(entries)
}

func wantLink(t *testing.T, links pubarchive.Links, rel, url string, at time.Time) {
	t.Helper()
	e, ok := links.Get(rel)
	if !ok {
		t.Errorf("no %q link in %v", rel, links)
		return
	}
	if e.URL != url {
		t.Errorf("%q link: %s, want %s", rel, e.URL, url)
	}
	if !at.IsZero() && !e.Datetime.Equal(at) {
		t.Errorf("%q link: datetime %s, want %s", rel, e.Datetime, at)
	}
}

func TestTimeGate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	m := func(at time.Time) string { return f.ts.URL + "/web/" + stampOf(at) + "/" + urlDead }

	t.Run("latest without Accept-Datetime", func(t *testing.T) {
		resp, body := f.get(t, "/timegate/"+urlDead)
		wantStatus(t, resp, body, http.StatusFound)
		if got := resp.Header.Get("Location"); got != m(snapTimes[2]) {
			t.Errorf("Location %s, want %s", got, m(snapTimes[2]))
		}
		if got := resp.Header.Get("Vary"); !strings.EqualFold(got, "accept-datetime") {
			t.Errorf("Vary %q", got)
		}
		links := parseLinks(t, "Link", resp.Header.Get("Link"))
		wantLink(t, links, "original", urlDead, time.Time{})
		wantLink(t, links, "timemap", f.ts.URL+"/timemap/link/"+urlDead, time.Time{})
		if tm, _ := links.Get("timemap"); tm.Params["type"] != "application/link-format" ||
			tm.Params["from"] != snapTimes[0].Format(http.TimeFormat) || tm.Params["until"] != snapTimes[2].Format(http.TimeFormat) {
			t.Errorf("timemap link params %v", tm.Params)
		}
		wantLink(t, links, "first memento", m(snapTimes[0]), snapTimes[0])
		wantLink(t, links, "last memento", m(snapTimes[2]), snapTimes[2])
		wantLink(t, links, "prev memento", m(snapTimes[1]), snapTimes[1])
		if _, ok := links.Get("next"); ok {
			t.Errorf("the last memento has a next: %v", links)
		}
	})

	t.Run("closest to Accept-Datetime", func(t *testing.T) {
		// Nearer the middle copy than either other.
		ad := snapTimes[1].Add(-3 * 24 * time.Hour).Format(http.TimeFormat)
		resp, body := f.get(t, "/timegate/"+urlDead, "Accept-Datetime", ad)
		wantStatus(t, resp, body, http.StatusFound)
		if got := resp.Header.Get("Location"); got != m(snapTimes[1]) {
			t.Errorf("Location %s, want %s", got, m(snapTimes[1]))
		}
		links := parseLinks(t, "Link", resp.Header.Get("Link"))
		wantLink(t, links, "prev memento", m(snapTimes[0]), snapTimes[0])
		wantLink(t, links, "next memento", m(snapTimes[2]), snapTimes[2])
		for _, e := range links.All("memento") {
			if e.Has("first") && !e.Has("prev") {
				t.Errorf("first memento is also the previous one and should say so: %v", e.Rels)
			}
		}
		// Before every copy: the first.
		resp, body = f.get(t, "/timegate/"+urlDead, "Accept-Datetime", "Sun, 01 Jan 2012 00:00:00 GMT")
		wantStatus(t, resp, body, http.StatusFound)
		if got := resp.Header.Get("Location"); got != m(snapTimes[0]) {
			t.Errorf("Location %s, want %s", got, m(snapTimes[0]))
		}
	})

	t.Run("errors", func(t *testing.T) {
		resp, body := f.get(t, "/timegate/"+urlDead, "Accept-Datetime", "last tuesday")
		wantStatus(t, resp, body, http.StatusBadRequest)
		if got := resp.Header.Get("Vary"); !strings.EqualFold(got, "accept-datetime") {
			t.Errorf("400 without Vary: %q", got)
		}
		resp, body = f.get(t, "/timegate/https://unknown.example/")
		wantStatus(t, resp, body, http.StatusNotFound)
		resp, body = f.get(t, "/timegate/"+urlGone) // a link, but no copy
		wantStatus(t, resp, body, http.StatusNotFound)
		req, _ := http.NewRequest(http.MethodPost, f.ts.URL+"/timegate/"+urlDead, nil)
		resp, body = f.do(t, req)
		wantStatus(t, resp, body, http.StatusMethodNotAllowed)
	})

	t.Run("URL with a query, and encoded", func(t *testing.T) {
		resp, body := f.get(t, "/timegate/"+urlAlive)
		wantStatus(t, resp, body, http.StatusFound)
		if got, want := resp.Header.Get("Location"), f.ts.URL+"/web/"+stampOf(aliveSnap)+"/"+urlAlive; got != want {
			t.Errorf("Location %s, want %s", got, want)
		}
		links := parseLinks(t, "Link", resp.Header.Get("Link"))
		wantLink(t, links, "first last memento", f.ts.URL+"/web/"+stampOf(aliveSnap)+"/"+urlAlive, aliveSnap)
		// The whole URL percent-encoded, as some clients send it.
		resp, body = f.get(t, "/timegate/https%3A%2F%2Falive.example%2Fpage%3Fid%3D7%26x%3Dy")
		wantStatus(t, resp, body, http.StatusFound)
	})
}

func TestTimeMap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp, body := f.get(t, "/timemap/link/"+urlDead)
	wantStatus(t, resp, body, http.StatusOK)
	if got := resp.Header.Get("Content-Type"); got != "application/link-format" {
		t.Errorf("Content-Type %q", got)
	}
	links := parseLinks(t, "TimeMap", body)
	if len(links) != 3+len(snapTimes) {
		t.Fatalf("%d entries, want original, timegate, self and %d mementos:\n%s", len(links), len(snapTimes), body)
	}
	wantLink(t, links, "original", urlDead, time.Time{})
	wantLink(t, links, "timegate", f.ts.URL+"/timegate/"+urlDead, time.Time{})
	wantLink(t, links, "self", f.ts.URL+"/timemap/link/"+urlDead, time.Time{})
	self, _ := links.Get("self")
	if self.Params["type"] != "application/link-format" || self.Params["from"] != "Wed, 01 May 2024 10:00:00 GMT" ||
		self.Params["until"] != "Sat, 01 Jun 2024 10:00:00 GMT" {
		t.Errorf("self: %v", self.Params)
	}
	ms := links.All("memento")
	for i, at := range snapTimes {
		if ms[i].URL != f.ts.URL+"/web/"+stampOf(at)+"/"+urlDead || !ms[i].Datetime.Equal(at) {
			t.Errorf("memento %d: %s at %s, want %s", i, ms[i].URL, ms[i].Datetime, at)
		}
	}
	if !ms[0].Has("first") || !ms[2].Has("last") || ms[1].Has("first") || ms[1].Has("last") {
		t.Errorf("rels: %v %v %v", ms[0].Rels, ms[1].Rels, ms[2].Rels)
	}
	// One entry per line, entries separated by commas.
	lines := strings.Split(strings.TrimSpace(body), "\n")
	for i, l := range lines {
		if (i < len(lines)-1) != strings.HasSuffix(l, ",") {
			t.Errorf("line %d %q: entries end with a comma, the last without", i+1, l)
		}
	}

	resp, body = f.get(t, "/timemap/link/https://unknown.example/")
	wantStatus(t, resp, body, http.StatusNotFound)
}

func TestMemento(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	m := func(at time.Time) string { return f.ts.URL + "/web/" + stampOf(at) + "/" + urlDead }

	resp, body := f.get(t, "/web/"+stampOf(snapTimes[1])+"/"+urlDead)
	wantStatus(t, resp, body, http.StatusOK)
	if got := resp.Header.Get("Memento-Datetime"); got != "Wed, 15 May 2024 10:00:00 GMT" {
		t.Errorf("Memento-Datetime %q", got)
	}
	if _, err := http.ParseTime(resp.Header.Get("Memento-Datetime")); err != nil {
		t.Errorf("Memento-Datetime is not an HTTP date: %v", err)
	}
	links := parseLinks(t, "Link", resp.Header.Get("Link"))
	wantLink(t, links, "original", urlDead, time.Time{})
	wantLink(t, links, "timegate", f.ts.URL+"/timegate/"+urlDead, time.Time{})
	wantLink(t, links, "timemap", f.ts.URL+"/timemap/link/"+urlDead, time.Time{})
	wantLink(t, links, "first memento", m(snapTimes[0]), snapTimes[0])
	wantLink(t, links, "last memento", m(snapTimes[2]), snapTimes[2])
	if self := links.All("memento"); len(self) != 3 {
		t.Errorf("mementos in Link: %v", self)
	}
	wantSandboxed(t, resp)
	if !strings.Contains(body, "version 2") || strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("memento body: want the readable page of the second copy, without script:\n%.500s", body)
	}

	// A stamp that names no copy exactly, or a shorter one, redirects to
	// the closest.
	for stamp, want := range map[string]time.Time{
		"20240514": snapTimes[1], "20240601100001": snapTimes[2], "2023": snapTimes[0],
	} {
		resp, body := f.get(t, "/web/"+stamp+"/"+urlDead)
		wantStatus(t, resp, body, http.StatusFound)
		if got := resp.Header.Get("Location"); got != m(want) {
			t.Errorf("/web/%s: Location %s, want %s", stamp, got, m(want))
		}
	}
	for _, bad := range []string{"/web/2024x/" + urlDead, "/web/20241301/" + urlDead, "/web/" + urlDead} {
		resp, body := f.get(t, bad)
		wantStatus(t, resp, body, http.StatusBadRequest)
	}
	resp, body = f.get(t, "/web/"+stampOf(aliveSnap)+"/"+urlAlive) // the query is part of the URL
	wantStatus(t, resp, body, http.StatusOK)
	if got := resp.Header.Get("Memento-Datetime"); got != aliveSnap.Format(http.TimeFormat) {
		t.Errorf("Memento-Datetime %q", got)
	}
}

// linkrot's own Memento client (used against public archives) understands
// linkrot's own TimeGate and TimeMap.
func TestMementoClientInterop(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	r := pubarchive.NewRemote(config.External{}, f.ts.Client(), pubarchive.RemoteOptions{})
	c, links, err := r.TimeGate(ctx, f.ts.URL+"/timegate/", urlDead, snapTimes[0].Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.URL != f.ts.URL+"/web/"+stampOf(snapTimes[0])+"/"+urlDead || !c.Time.Equal(snapTimes[0]) || c.Original != urlDead {
		t.Errorf("TimeGate answer: %+v", c)
	}
	tm, ok := links.Get("timemap")
	if !ok {
		t.Fatal("no timemap link")
	}
	var n int
	if err := r.TimeMap(ctx, tm.URL, func(e pubarchive.LinkEntry) bool {
		if e.Has("memento") {
			n++
		}
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if n != len(snapTimes) {
		t.Errorf("TimeMap: %d mementos, want %d", n, len(snapTimes))
	}
}

func TestURLInPath(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		urlAlive, urlDead, "https://de.example/wiki/Köln", "https://x.example/a b#frag", "https://x.example/100%",
		"https://x.example/a%20b", `https://x.example/"quoted"<>`,
	} {
		p := pathURL(u)
		if strings.ContainsAny(p, " #\"<>") {
			t.Errorf("pathURL(%q) = %q: holds a byte a path cannot", u, p)
		}
		found := false
		for _, c := range uriCandidates(p) {
			found = found || c == u
		}
		if !found {
			t.Errorf("pathURL(%q) = %q does not decode back: %q", u, p, uriCandidates(p))
		}
	}
	if c := uriCandidates("http:/example.com/x"); c[0] != "http://example.com/x" {
		t.Errorf("merged slashes not repaired: %q", c)
	}
	for in, want := range map[string]string{
		"2014": "20140101000000", "201409": "20140901000000", "20140929": "20140929000000", "20140929123456": "20140929123456",
	} {
		got, exact, err := parseStamp(in)
		if err != nil || got.Format(stampLayout) != want || exact != (len(in) == 14) {
			t.Errorf("parseStamp(%s) = %s, %v, %v; want %s", in, got, exact, err, want)
		}
	}
}

// TestTimeMapNegotiation: a browser (Accept: text/html…) gets a page it
// shows; a Memento client or curl gets link-format.
func TestTimeMapNegotiation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	resp, body := f.get(t, "/timemap/link/"+urlDead, "Accept", browser)
	wantStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" || !strings.Contains(body, `id="timemap"`) ||
		!strings.Contains(body, `href="/web/20240601100000/`+urlDead+`"`) || resp.Header.Get("Vary") != "Accept" {
		t.Errorf("browser: %q, Vary %q\n%.800s", ct, resp.Header.Get("Vary"), body)
	}
	for _, accept := range []string{"", "*/*", "application/link-format", "application/link-format, text/html;q=0.5"} {
		resp, body = f.get(t, "/timemap/link/"+urlDead, "Accept", accept)
		if ct := resp.Header.Get("Content-Type"); ct != "application/link-format" || !strings.Contains(body, `rel="original"`) {
			t.Errorf("Accept %q: %q", accept, ct)
		}
	}
}
