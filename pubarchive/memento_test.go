package pubarchive

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

func TestTimeGate(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	r := newTestRemote(w, config.External{})
	ctx := context.Background()
	const gate = "https://" + archiveHost + "/timegate/"

	c, links, err := r.TimeGate(ctx, gate, pageURL, when(2014, 1, 26, 20, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := RemoteCopy{URL: replayURL(archiveHost, "20140126200804", pageURL), Original: pageURL,
		Time: when(2014, 1, 26, 20, 8, 4), Status: 0, Source: "memento:" + archiveHost}
	if c != want {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	// The Link header: original, timemap, first, chosen and last memento.
	for _, tc := range []struct {
		rel, url string
		dt       time.Time
	}{
		{"original", pageURL, time.Time{}},
		{"timemap", "https://archive.test/timemap/link/" + pageURL, time.Time{}},
		{"first memento", replayURL(archiveHost, "20100101000000", pageURL), when(2010, 1, 1, 0, 0, 0)},
		{"last memento", replayURL(archiveHost, "20200101000000", pageURL), when(2020, 1, 1, 0, 0, 0)},
	} {
		e, ok := links.Get(tc.rel)
		if !ok || e.URL != tc.url || !e.Datetime.Equal(tc.dt) {
			t.Errorf("link %q: %+v, %v", tc.rel, e, ok)
		}
	}
	if tm, _ := links.Get("timemap"); tm.Params["type"] != "application/link-format" {
		t.Errorf("timemap type %q", tm.Params["type"])
	}
	if n := len(links.All("memento")); n != 3 {
		t.Errorf("%d mementos in the links, want 3", n)
	}
	// One request, with Accept-Datetime; the memento itself is not fetched.
	reqs := w.Requests()
	if len(reqs) != 1 || reqs[0].Header.Get("Accept-Datetime") != "Sun, 26 Jan 2014 20:08:00 GMT" || reqs[0].UserAgent != "linkrot-test/1" {
		t.Errorf("requests %+v", reqs)
	}

	// No datetime: no Accept-Datetime, the latest memento (whatever it is).
	w.ResetHits()
	c, _, err = r.TimeGate(ctx, gate, pageURL, time.Time{})
	if err != nil || c.Time != when(2020, 1, 1, 0, 0, 0) {
		t.Errorf("latest: %+v, %v", c, err)
	}
	if h := w.Requests()[0].Header; h.Get("Accept-Datetime") != "" {
		t.Errorf("Accept-Datetime %q sent without a datetime", h.Get("Accept-Datetime"))
	}

	// Unknown URL: 404, which is "no copy", not a failure.
	_, _, err = r.TimeGate(ctx, gate, "http://never.example/", time.Time{})
	var re *RemoteError
	if !errors.Is(err, ErrNoRemoteCopy) || !errors.As(err, &re) || re.Status != 404 {
		t.Errorf("unknown: %v", err)
	}
}

// gateHandler answers every path with fn, for TimeGates of unusual shapes.
func gateHandler(fn func(rw http.ResponseWriter, r *http.Request)) fakeweb.Behaviour {
	return http.HandlerFunc(fn)
}

func TestTimeGatePatterns(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	r := newTestRemote(w, config.External{})
	ctx := context.Background()
	at := when(2014, 1, 26, 20, 8, 0)

	// 200-style TimeGate (RFC 7089 §4.1.2): the answer is the memento.
	w.Site("gate200.test").Fallback(gateHandler(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Vary", "accept-datetime")
		h.Set("Memento-Datetime", "Sun, 26 Jan 2014 20:08:04 GMT")
		h.Set("Content-Location", "/web/20140126200804/"+pageURL)
		h.Set("Link", `<`+pageURL+`>; rel="original", </timemap/`+pageURL+`>; rel="timemap"`)
		rw.Write([]byte("<html>the memento</html>"))
	}))
	c, links, err := r.TimeGate(ctx, "https://gate200.test/tg/", pageURL, at)
	if err != nil {
		t.Fatal(err)
	}
	want := RemoteCopy{URL: "https://gate200.test/web/20140126200804/" + pageURL, Original: pageURL,
		Time: when(2014, 1, 26, 20, 8, 4), Status: 200, Source: "memento:gate200.test"}
	if c != want {
		t.Errorf("200-style:\n got %+v\nwant %+v", c, want)
	}
	if tm, _ := links.Get("timemap"); tm.URL != "https://gate200.test/timemap/"+pageURL {
		t.Errorf("relative link not resolved: %q", tm.URL)
	}

	// A plain redirect (no Vary: accept-datetime, no Memento links) leads
	// to the TimeGate and is followed; the source stays the configured gate.
	w.Site("moved.test").Fallback(gateHandler(func(rw http.ResponseWriter, r *http.Request) {
		http.Redirect(rw, r, "https://"+archiveHost+"/timegate/"+strings.TrimPrefix(r.RequestURI, "/old/"), http.StatusMovedPermanently)
	}))
	c, _, err = r.TimeGate(ctx, "https://moved.test/old/", pageURL, at)
	if err != nil || c.URL != replayURL(archiveHost, "20140126200804", pageURL) || c.Source != "memento:moved.test" {
		t.Errorf("moved gate: %+v, %v", c, err)
	}

	// A memento URL without a timestamp and links without its datetime:
	// HEAD on the memento tells, and its status becomes known.
	w.Site("plain.test").
		Page("/gate/*", gateHandler(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Vary", "Accept-Encoding, Accept-Datetime")
			rw.Header().Set("Link", `<`+pageURL+`>; rel="original", </m/1>; rel="memento"`)
			http.Redirect(rw, r, "/m/1", http.StatusFound)
		})).
		Page("/m/1", gateHandler(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Memento-Datetime", "Sun, 26 Jan 2014 20:08:04 GMT")
			rw.Write([]byte("memento"))
		}))
	w.ResetHits()
	c, _, err = r.TimeGate(ctx, "https://plain.test/gate/", pageURL, at)
	want = RemoteCopy{URL: "https://plain.test/m/1", Original: pageURL, Time: when(2014, 1, 26, 20, 8, 4), Status: 200, Source: "memento:plain.test"}
	if err != nil || c != want {
		t.Errorf("HEAD fallback:\n got %+v, %v\nwant %+v", c, err, want)
	}
	var methods []string
	for _, req := range w.Requests() {
		methods = append(methods, req.Method+" "+req.Path)
	}
	if !slices.Equal(methods, []string{"GET /gate/" + pageURL, "HEAD /m/1"}) {
		t.Errorf("requests %q", methods)
	}

	// A malformed Link header is no reason to lose the Location.
	w.Site("sloppy.test").Fallback(gateHandler(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Vary", "accept-datetime")
		rw.Header().Set("Link", `<`+pageURL+`>; rel="original", <http://broken`)
		http.Redirect(rw, r, "https://sloppy.test/web/20140126200804/"+pageURL, http.StatusFound)
	}))
	c, links, err = r.TimeGate(ctx, "https://sloppy.test/tg/", pageURL, at)
	if err != nil || c.Time != when(2014, 1, 26, 20, 8, 4) || len(links) != 1 {
		t.Errorf("sloppy links: %+v, %d links, %v", c, len(links), err)
	}
}

func TestTimeGateFailures(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	r := newTestRemote(w, config.External{})
	ctx := context.Background()
	serve := func(host string, fn func(rw http.ResponseWriter, r *http.Request)) string {
		w.Site(host).Fallback(gateHandler(fn))
		return "https://" + host + "/tg/"
	}
	for _, tc := range []struct {
		name, gate, err string
	}{
		{"503", serve("busy.test", func(rw http.ResponseWriter, r *http.Request) {
			http.Error(rw, "busy", http.StatusServiceUnavailable)
		}), "memento TimeGate at https://busy.test/tg/http://example.com/page: status 503"},
		{"bad Accept-Datetime", serve("strict.test", func(rw http.ResponseWriter, r *http.Request) {
			http.Error(rw, "bad date", http.StatusBadRequest)
		}), "status 400"},
		{"redirect without Location", serve("noloc.test", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Vary", "accept-datetime")
			rw.WriteHeader(http.StatusFound)
		}), "status 302: redirect without Location"},
		{"redirect loop", serve("loop.test", func(rw http.ResponseWriter, r *http.Request) {
			http.Redirect(rw, r, r.RequestURI, http.StatusFound)
		}), "more than 5 redirects before reaching the TimeGate"},
		{"200 without Memento-Datetime", serve("page.test", func(rw http.ResponseWriter, r *http.Request) {
			rw.Write([]byte("<html>a page</html>"))
		}), "answered 200 without Memento-Datetime: not a TimeGate"},
		{"junk Memento-Datetime", serve("junkdate.test", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Memento-Datetime", "2014-01-26")
			rw.Write([]byte("x"))
		}), `bad Memento-Datetime "2014-01-26"`},
		{"memento without any datetime", serve("nodate.test", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Vary", "accept-datetime")
			if strings.HasPrefix(r.URL.Path, "/tg/") {
				http.Redirect(rw, r, "/m/x", http.StatusFound)
			}
		}), "cannot tell when https://nodate.test/m/x was captured"},
		{"junk datetime in the links", serve("junklink.test", func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Vary", "accept-datetime")
			rw.Header().Set("Link", `</m/x>; rel="memento"; datetime="last week"`)
			http.Redirect(rw, r, "/m/x", http.StatusFound)
		}), "cannot tell when https://junklink.test/m/x was captured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := r.TimeGate(ctx, tc.gate, pageURL, when(2014, 1, 1, 0, 0, 0))
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "memento TimeGate at https://") {
				t.Errorf("err %v\nwant …%s", err, tc.err)
			}
			if errors.Is(err, ErrNoRemoteCopy) {
				t.Errorf("a failure reported as no copy: %v", err)
			}
		})
	}
}

func TestTimeMap(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	r := newTestRemote(w, config.External{})
	ctx := context.Background()
	tmURL := "https://" + archiveHost + "/timemap/link/" + pageURL

	var es []LinkEntry
	if err := r.TimeMap(ctx, tmURL, func(e LinkEntry) bool { es = append(es, e); return true }); err != nil {
		t.Fatal(err)
	}
	if len(es) != 3+6 {
		t.Fatalf("%d entries: %+v", len(es), es)
	}
	// fakeweb writes rel=timegate and every other rel=memento unquoted,
	// with a collection attribute.
	if !es[1].Has("timegate") || es[1].URL != "https://archive.test/timegate/"+pageURL {
		t.Errorf("timegate entry %+v", es[1])
	}
	if !es[2].Has("self") || es[2].Params["from"] != "Fri, 01 Jan 2010 00:00:00 GMT" || es[2].Params["type"] != "application/link-format" {
		t.Errorf("self entry %+v", es[2])
	}
	if !es[3].Has("first memento") || !es[3].Datetime.Equal(when(2010, 1, 1, 0, 0, 0)) {
		t.Errorf("first entry %+v", es[3])
	}
	if !slices.Equal(es[4].Rels, []string{"memento"}) || es[4].Params["collection"] != "fakeweb" || !es[4].Datetime.Equal(when(2014, 1, 26, 20, 8, 4)) {
		t.Errorf("unquoted memento entry %+v", es[4])
	}
	if !es[8].Has("last memento") {
		t.Errorf("last entry %+v", es[8])
	}
	if a := w.Requests()[0].Header.Get("Accept"); a != "application/link-format" {
		t.Errorf("Accept %q", a)
	}

	n := 0
	if err := r.TimeMap(ctx, tmURL, func(LinkEntry) bool { n++; return n < 3 }); err != nil || n != 3 {
		t.Errorf("stop early: %d, %v", n, err)
	}
	err := r.TimeMap(ctx, "https://"+archiveHost+"/timemap/link/http://never.example/", func(LinkEntry) bool { return true })
	if !errors.Is(err, ErrNoRemoteCopy) {
		t.Errorf("unknown: %v", err)
	}
}

func TestTimeMapAnswers(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	r := newTestRemote(w, config.External{})
	const tm = "https://tm.test/timemap"
	const entry = `<http://arch.example/web/20140126200804/http://example.com/page>; rel="memento"; datetime="Sun, 26 Jan 2014 20:08:04 GMT",` + "\n"
	for _, tc := range []struct {
		name, ctype, body string
		code              int
		entries           int // -1: do not check
		err               string
	}{
		{"relative URLs resolved", "application/link-format", `</web/2014/x>; rel=memento; datetime="Sun, 26 Jan 2014 20:08:04 GMT"`, 200, 1, ""},
		{"text/plain is fine", "text/plain", entry, 200, 1, ""},
		{"empty", "application/link-format", "", 200, 0, ""},
		{"truncated", "application/link-format", entry + `<http://x/>; rel="memento"; datetime="Sun, 26 J`, 200, 1,
			"memento TimeMap at https://tm.test/timemap: link-format: byte "},
		{"junk datetime", "application/link-format", entry + `<http://x/>; rel=memento; datetime="20140126"`, 200, 1,
			`in <http://x/>: datetime "20140126" is not an HTTP date`},
		{"HTML", "text/html; charset=utf-8", "<!DOCTYPE html><html>login</html>", 200, 0, "status 200: answered text/html, not a link-format TimeMap"},
		{"503", "text/plain", "later", 503, 0, "memento TimeMap at https://tm.test/timemap: status 503"},
		{"too large", "application/link-format", strings.Repeat(entry, 6<<20/len(entry)), 200, -1, "response larger than 5 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.Site("tm.test").Page("/timemap", fakeweb.Respond(tc.code, tc.ctype, tc.body))
			var es []LinkEntry
			err := r.TimeMap(context.Background(), tm, func(e LinkEntry) bool { es = append(es, e); return true })
			if tc.err == "" && err != nil {
				t.Fatal(err)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err %v\nwant …%s", err, tc.err)
			}
			if tc.entries >= 0 && len(es) != tc.entries {
				t.Errorf("%d entries, want %d", len(es), tc.entries)
			}
			if len(es) > 0 && !strings.HasPrefix(es[0].URL, "http") {
				t.Errorf("URL %q not absolute", es[0].URL)
			}
		})
	}
}

func TestWaybackTimeInURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://web.archive.org/web/20140126200804/http://example.com/": "20140126200804",
		"https://web.archive.org/web/20140126200804id_/http://x/":        "20140126200804",
		"http://arquivo.pt/wayback/20140126200804/http://x/":             "20140126200804",
		"https://archive.ph/abcde":                                       "",
		"https://x/web/2014/http://x/":                                   "",
		"https://x/web/20141326200804/http://x/":                         "",
		"https://x/web/20140126200804X/http://x/":                        "",
	} {
		got, ok := waybackTimeInURL(in)
		if (want == "") != !ok || (ok && waybackStamp(got) != want) {
			t.Errorf("%s: %v, %v; want %q", in, got, ok, want)
		}
	}
}

func TestMementoSource(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://timetravel.mementoweb.org/timegate/": "memento:timetravel.mementoweb.org",
		"http://127.0.0.1:8080/tg/":                   "memento:127.0.0.1:8080",
		"not a url":                                   "memento:not a url",
	} {
		if got := mementoSource(in); got != want {
			t.Errorf("mementoSource(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFindMementoPrevLink: a gate that lists "prev memento" settles the
// choice without its TimeMap.
func TestFindMementoPrevLink(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	w.Site("prev.test").
		Page("/tg/*", gateHandler(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Vary", "accept-datetime")
			rw.Header().Set("Link", `<`+pageURL+`>; rel="original", </tm>; rel="timemap",
 </m/2010>; rel="first memento"; datetime="Fri, 01 Jan 2010 00:00:00 GMT",
 </m/201409>; rel="prev memento"; datetime="Mon, 01 Sep 2014 00:00:00 GMT",
 </m/201410>; rel="memento"; datetime="Sun, 05 Oct 2014 00:00:00 GMT",
 </m/2018>; rel="last memento"; datetime="Mon, 01 Jan 2018 00:00:00 GMT"`)
			http.Redirect(rw, r, "/m/201410", http.StatusFound)
		})).
		Page("/tm", fakeweb.Status(http.StatusInternalServerError))
	r := newTestRemote(w, config.External{Memento: config.Memento{Enabled: true, Timegates: []string{"https://prev.test/tg/"}}})
	c, err := r.Find(context.Background(), pageURL, when(2014, 9, 29, 0, 0, 0))
	if err != nil || c.URL != "https://prev.test/m/201409" || c.Time != when(2014, 9, 1, 0, 0, 0) {
		t.Errorf("got %+v, %v; want the prev memento", c, err)
	}
	if n := w.Hits("prev.test", "/tm"); n != 0 {
		t.Errorf("TimeMap read %d times", n)
	}

	// Without prev, the TimeMap is needed; when it fails, the gate's own
	// answers still count and the failure is only logged.
	c, err = r.Find(context.Background(), pageURL, when(2011, 1, 1, 0, 0, 0))
	if err != nil || c.URL != "https://prev.test/m/2010" || w.Hits("prev.test", "/tm") != 1 {
		t.Errorf("got %+v, %v, %d TimeMap hits; want the first memento", c, err, w.Hits("prev.test", "/tm"))
	}
}
