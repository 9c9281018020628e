package pubarchive

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
)

func TestParseWaybackTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"20140126200804", when(2014, 1, 26, 20, 8, 4), ""},
		{"2014", when(2014, 1, 1, 0, 0, 0), ""},
		{"201409", when(2014, 9, 1, 0, 0, 0), ""},
		{"20140929", when(2014, 9, 29, 0, 0, 0), ""},
		{"2014092912", when(2014, 9, 29, 12, 0, 0), ""},
		{"", time.Time{}, `wayback timestamp "": want 1 to 14 digits`},
		{"2014-09-29", time.Time{}, `wayback timestamp "2014-09-29": want 1 to 14 digits`},
		{"201409291200001", time.Time{}, "want 1 to 14 digits"},
		{" 2014", time.Time{}, "want 1 to 14 digits"},
		{"20141301000000", time.Time{}, `wayback timestamp "20141301000000": not a valid date`},
		{"20140230000000", time.Time{}, "not a valid date"},
	} {
		got, err := parseWaybackTime(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if s := waybackStamp(time.Date(2014, 9, 29, 14, 0, 0, 5e8, time.FixedZone("X", 2*3600))); s != "20140929120000" {
		t.Errorf("waybackStamp = %q", s)
	}
}

func TestWaybackReplayBase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://web.archive.org/cdx/search/cdx":    "https://web.archive.org/web/",
		"http://localhost:8080/pywb/cdx/search/cdx": "http://localhost:8080/pywb/web/",
		"https://archive.test/cdx/search/cdx?x=1":   "https://archive.test/web/",
		"https://index.example/query":               "https://index.example/web/",
		"":                                          "",
		"::not a url":                               "",
	} {
		if got := waybackReplayBase(in); got != want {
			t.Errorf("waybackReplayBase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWaybackAvailable(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	w.Archive(archiveHost).Add("https://www.example.com/other", when(2015, 5, 5, 5, 5, 5), 200, "other")
	r := newTestRemote(w, config.External{Wayback: waybackAt(archiveHost)})
	ctx := context.Background()

	for _, tc := range []struct {
		url    string
		at     time.Time
		stamp  string
		status int
		orig   string
	}{
		// Closest on either side, whatever its status.
		{pageURL, when(2014, 2, 1, 0, 0, 0), "20140126200804", 200, pageURL},
		{pageURL, when(2014, 9, 29, 0, 0, 0), "20140920000000", 404, pageURL},
		{pageURL, when(2009, 1, 1, 0, 0, 0), "20100101000000", 200, pageURL},
		{pageURL, time.Time{}, "20200101000000", 404, pageURL},
		// The archive's own form of the URL comes back as Original, and
		// a fragment is not sent.
		{"http://example.com/other#section", time.Time{}, "20150505050505", 200, "https://www.example.com/other"},
	} {
		c, ok, err := r.WaybackAvailable(ctx, tc.url, tc.at)
		if err != nil || !ok {
			t.Fatalf("%s at %v: %v, %v", tc.url, tc.at, ok, err)
		}
		want := RemoteCopy{URL: replayURL(archiveHost, tc.stamp, tc.orig), Original: tc.orig,
			Time: mustWaybackTime(t, tc.stamp), Status: tc.status, Source: "wayback"}
		if c != want {
			t.Errorf("%s at %v:\n got %+v\nwant %+v", tc.url, tc.at, c, want)
		}
	}
	for _, req := range w.Requests() {
		if strings.Contains(req.Query, "section") || req.Header.Get("Accept") != "application/json" {
			t.Errorf("request %s?%s, Accept %q", req.Path, req.Query, req.Header.Get("Accept"))
		}
	}

	// {"archived_snapshots":{}}: nothing archived, no error.
	c, ok, err := r.WaybackAvailable(ctx, "http://never.example/", time.Time{})
	if err != nil || ok || c != (RemoteCopy{}) {
		t.Errorf("never archived: %+v, %v, %v", c, ok, err)
	}
}

// cannedWayback serves body with code as both Wayback APIs of host.
func cannedWayback(w *fakeweb.Web, host string, code int, body string) {
	h := fakeweb.Respond(code, "application/json", body)
	w.Site(host).Page("/wayback/available", h).Page("/cdx/search/cdx", h)
}

func TestWaybackAvailableAnswers(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	r := newTestRemote(w, config.External{Wayback: waybackAt("canned.test")})
	ctx := context.Background()
	const prefix = "wayback availability API at https://canned.test/wayback/available?timestamp=20140929000000&url=http%3A%2F%2Fexample.com%2Fpage: "
	for _, tc := range []struct {
		name, body string
		code       int
		ok         bool
		err        string // after prefix
	}{
		{"available false", `{"archived_snapshots":{"closest":{"available":false,"url":"","timestamp":"","status":""}}}`, 200, false, ""},
		{"null closest", `{"url":"example.com/page","archived_snapshots":{"closest":null}}`, 200, false, ""},
		{"numeric status", `{"archived_snapshots":{"closest":{"available":true,"url":"http://web.archive.org/web/20130919044612/http://example.com/page","timestamp":"20130919044612","status":200}}}`, 200, true, ""},
		{"revisit status", `{"archived_snapshots":{"closest":{"available":true,"url":"http://web.archive.org/web/20130919044612/http://example.com/page","timestamp":"20130919044612","status":"-"}}}`, 200, true, ""},
		{"503", "busy", 503, false, "status 503"},
		{"bad JSON", `{"archived_snapshots":{"closest":{"available":tru`, 200, false, "bad JSON at byte "},
		{"HTML instead of JSON", "<html>maintenance</html>", 200, false, "bad JSON at byte 1: invalid character '<'"},
		{"no archived_snapshots", `{"error":"rate limited"}`, 200, false, `no archived_snapshots in the answer "{\"error\":\"rate limited\"}"`},
		{"junk timestamp", `{"archived_snapshots":{"closest":{"available":true,"url":"http://x/web/2013/y","timestamp":"2013-09-19","status":"200"}}}`, 200, false,
			`closest snapshot: wayback timestamp "2013-09-19": want 1 to 14 digits`},
		{"no url", `{"archived_snapshots":{"closest":{"available":true,"timestamp":"20130919044612","status":"200"}}}`, 200, false, "closest snapshot has no url"},
		{"too large", `{"archived_snapshots":{},"pad":"` + strings.Repeat("x", 1<<20) + `"}`, 200, false, "response larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cannedWayback(w, "canned.test", tc.code, tc.body)
			c, ok, err := r.WaybackAvailable(ctx, pageURL, when(2014, 9, 29, 0, 0, 0))
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v\nwant %s…%s", err, prefix, tc.err)
				}
				return
			}
			if err != nil || ok != tc.ok {
				t.Fatalf("%+v, %v, %v", c, ok, err)
			}
			if ok && (c.Time != when(2013, 9, 19, 4, 46, 12) || c.Original != pageURL) {
				t.Errorf("%+v", c)
			}
		})
	}
	var re *RemoteError
	cannedWayback(w, "canned.test", 503, "")
	if _, _, err := r.WaybackAvailable(ctx, pageURL, time.Time{}); !errors.As(err, &re) || re.Status != 503 || re.Service != "wayback availability API" {
		t.Errorf("RemoteError: %#v", err)
	}
}

func TestWaybackCDX(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	addHistory(w.Archive(archiveHost))
	r := newTestRemote(w, config.External{Wayback: waybackAt(archiveHost)})
	ctx := context.Background()

	var got []RemoteCopy
	err := r.WaybackCDX(ctx, "https://www.example.com/page", func(c RemoteCopy) bool {
		got = append(got, c)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStamps := []string{"20100101000000", "20140126200804", "20140920000000", "20141015000000", "20150301000000", "20200101000000"}
	wantStatus := []int{200, 200, 404, 301, 200, 404}
	if len(got) != len(wantStamps) {
		t.Fatalf("%d captures: %+v", len(got), got)
	}
	for i, c := range got {
		want := RemoteCopy{URL: replayURL(archiveHost, wantStamps[i], pageURL), Original: pageURL,
			Time: mustWaybackTime(t, wantStamps[i]), Status: wantStatus[i], Source: "wayback"}
		if c != want {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, c, want)
		}
	}

	// Stop early.
	n := 0
	if err := r.WaybackCDX(ctx, pageURL, func(RemoteCopy) bool { n++; return n < 2 }); err != nil || n != 2 {
		t.Errorf("stopping: %d calls, %v", n, err)
	}
	// No captures: "[]".
	if err := r.WaybackCDX(ctx, "http://never.example/", func(c RemoteCopy) bool { t.Errorf("row %+v", c); return true }); err != nil {
		t.Error(err)
	}
	if err := r.WaybackCDX(ctx, "/relative", func(RemoteCopy) bool { return true }); err == nil {
		t.Error("relative URL accepted")
	}
}

// iaRevisits is how the Wayback CDX API lists an unchanged page: one capture, then
// revisits (statuscode "-", mimetype warc/revisit, the same digest).
const iaRevisits = `[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],
["com,example)/page","20140103030321","http://example.com/page","text/html","200","Q4YULN754FHV2U6Q5JUT6Q2P57WEWNNY","1415"],
["com,example)/page","20140506070809","http://example.com/page","warc/revisit","-","Q4YULN754FHV2U6Q5JUT6Q2P57WEWNNY","542"],
["com,example)/page","20140607000000","http://example.com/page","text/html","404","NOTFOUNDNOTFOUNDNOTFOUNDNOTFOUND","300"],
["com,example)/page","20140708000000","http://example.com/page","warc/revisit","-","NOTFOUNDNOTFOUNDNOTFOUNDNOTFOUND","540"],
["com,example)/page","20140809000000","http://example.com/page","warc/revisit","-","UNSEENUNSEENUNSEENUNSEENUNSEENXX","540"]]
`

func TestWaybackCDXRevisits(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	cannedWayback(w, "web.archive.test", 200, iaRevisits)
	r := newTestRemote(w, config.External{Wayback: waybackAt("web.archive.test")})
	var got []string
	err := r.WaybackCDX(context.Background(), pageURL, func(c RemoteCopy) bool {
		got = append(got, waybackStamp(c.Time)+" "+strconv.Itoa(c.Status))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	// A revisit takes the status of the capture it repeats; one of a
	// capture not in the answer is unknown (0).
	want := "20140103030321 200,20140506070809 200,20140607000000 404,20140708000000 404,20140809000000 0"
	if strings.Join(got, ",") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, ","), want)
	}

	// Find takes the revisit as a good copy: same bytes as the 200.
	c, err := r.Find(context.Background(), pageURL, when(2014, 12, 1, 0, 0, 0))
	if err != nil || waybackStamp(c.Time) != "20140506070809" {
		t.Errorf("Find: %+v, %v; want the 2014-05-06 revisit", c, err)
	}
}

func TestWaybackCDXAnswers(t *testing.T) {
	t.Parallel()
	w := newFakeWeb(t)
	r := newTestRemote(w, config.External{Wayback: waybackAt("canned.test")})
	const prefix = "wayback CDX API at https://canned.test/cdx/search/cdx?output=json&url=http%3A%2F%2Fexample.com%2Fpage: "
	const header = `[["urlkey","timestamp","original","mimetype","statuscode","digest","length"]`
	const row = `["com,example)/page","20140103030321","http://example.com/page","text/html","200","Q4YU","1415"]`
	for _, tc := range []struct {
		name, body string
		code       int
		rows       int
		err        string // after prefix
	}{
		{"empty body", "", 200, 0, ""},
		{"empty array", "[]\n", 200, 0, ""},
		{"header only", header + "]", 200, 0, ""},
		{"fields in another order (fl=)", `[["original","timestamp"],["http://example.com/page","20140103030321"]]`, 200, 1, ""},
		{"resume key after the rows", header + ",\n" + row + ",\n[],\n[\"com,example)/page 20140103030321\"]]", 200, 1, ""},
		{"503", "overloaded", 503, 0, "status 503"},
		{"bad JSON", `[["urlkey",`, 200, 0, "row 1: bad JSON: truncated"},
		{"truncated after a row", header + ",\n" + row, 200, 1, "after the last row: bad JSON: truncated"},
		{"truncated inside a row", header + ",\n" + row[:40], 200, 0, "row 2: bad JSON: truncated"},
		{"not an array", `{"error":"blocked"}`, 200, 0, "expected a JSON array of rows, found {"},
		{"HTML", "<html>", 200, 0, "bad JSON at byte 1: invalid character '<'"},
		{"no header", "[" + row + "]", 200, 0, "row 1 is not a header naming timestamp and original"},
		{"short row", header + `,["com,example)/page","20140103030321"]]`, 200, 0, "row 2 has 2 fields, the header 7"},
		{"numbers in a row", header + `,["com,example)/page",20140103030321,"x","y","200","d","1"]]`, 200, 0, "row 2: bad JSON: number where a string was expected"},
		{"junk timestamp", header + `,["com,example)/page","2014-01-03","http://example.com/page","text/html","200","Q","1"]]`, 200, 0,
			`row 2: wayback timestamp "2014-01-03": want 1 to 14 digits`},
		{"too large", header + strings.Repeat(",\n"+row, 6<<20/len(row)) + "]", 200, -1, "response larger than 5 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cannedWayback(w, "canned.test", tc.code, tc.body)
			rows := 0
			err := r.WaybackCDX(context.Background(), pageURL, func(RemoteCopy) bool { rows++; return true })
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v\nwant %s…%s", err, prefix, tc.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tc.rows >= 0 && rows != tc.rows {
				t.Errorf("%d rows, want %d", rows, tc.rows)
			}
		})
	}

	// Stopping early does not read the rest of a huge answer.
	cannedWayback(w, "canned.test", 200, header+strings.Repeat(",\n"+row, 6<<20/len(row))+"]")
	n := 0
	if err := r.WaybackCDX(context.Background(), pageURL, func(RemoteCopy) bool { n++; return false }); err != nil || n != 1 {
		t.Errorf("early stop: %d rows, %v", n, err)
	}
}

func TestWaybackNotConfigured(t *testing.T) {
	t.Parallel()
	r := NewRemote(config.External{}, &http.Client{Transport: refuseAll{}}, RemoteOptions{})
	if _, _, err := r.WaybackAvailable(context.Background(), pageURL, time.Time{}); err == nil || !strings.Contains(err.Error(), "no availability_url configured") {
		t.Errorf("availability: %v", err)
	}
	if err := r.WaybackCDX(context.Background(), pageURL, func(RemoteCopy) bool { return true }); err == nil || !strings.Contains(err.Error(), "no cdx_url configured") {
		t.Errorf("CDX: %v", err)
	}
}

// refuseAll is a transport for tests that must not send anything.
type refuseAll struct{}

func (refuseAll) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, errors.New("test transport: no requests allowed, got " + r.URL.String())
}
