package fakeweb

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, time.UTC)
}

// archiveWeb has three captures of example.com/page (one a 404), one of
// another page on the host, and one on a subdomain.
func archiveWeb(t *testing.T) (*Web, *Archive) {
	w := newWeb(t)
	a := w.Archive("web.archive.org")
	a.Add("http://example.com/page", date(2010, 1, 1, 0, 0, 0), 200, "<html><body><p>first</p></body></html>")
	a.Add("https://www.example.com/page", date(2014, 1, 26, 20, 8, 4), 200, "<html><body><p>middle</p></body></html>")
	a.Add("http://example.com/page", date(2020, 1, 1, 0, 0, 0), 404, "<html><body>gone</body></html>")
	a.Add("http://example.com/other", date(2015, 5, 5, 5, 5, 5), 200, "<html><body>other</body></html>")
	a.Add("http://news.example.com/", date(2016, 6, 6, 6, 6, 6), 200, "<html><body>news</body></html>")
	return w, a
}

func TestWaybackAvailability(t *testing.T) {
	w, _ := archiveWeb(t)
	c := w.Client()
	for _, tc := range []struct{ query, want string }{
		{"url=example.com/page&timestamp=20140101000000",
			`{"archived_snapshots":{"closest":{"available":true,"url":"https://web.archive.org/web/20140126200804/https://www.example.com/page","timestamp":"20140126200804","status":"200"}}}`},
		{"url=https://example.com/page&timestamp=2009",
			`{"archived_snapshots":{"closest":{"available":true,"url":"https://web.archive.org/web/20100101000000/http://example.com/page","timestamp":"20100101000000","status":"200"}}}`},
		{"url=example.com/page", // no timestamp: the latest, whatever its status
			`{"archived_snapshots":{"closest":{"available":true,"url":"https://web.archive.org/web/20200101000000/http://example.com/page","timestamp":"20200101000000","status":"404"}}}`},
		{"url=example.com/never", `{"archived_snapshots":{}}`},
	} {
		resp, body := get(t, c, "https://web.archive.org/wayback/available?"+tc.query)
		wantStatus(t, resp, 200)
		if resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
		}
		if strings.TrimSpace(body) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.query, body, tc.want)
		}
	}
	// The URLs follow the scheme and host the client used.
	_, body := get(t, c, "http://web.archive.org/wayback/available?url=example.com/other")
	wantContains(t, "http availability", body, `"url":"http://web.archive.org/web/20150505050505/http://example.com/other"`)
}

func cdx(t *testing.T, w *Web, query string) (rows [][]string, raw string) {
	t.Helper()
	resp, body := get(t, w.Client(), "https://web.archive.org/cdx/search/cdx?"+query)
	wantStatus(t, resp, 200)
	if strings.Contains(query, "output=json") {
		if err := json.Unmarshal([]byte(body), &rows); err != nil {
			t.Fatalf("%s: %v in %s", query, err, body)
		}
	}
	return rows, body
}

func TestCDX(t *testing.T) {
	w, _ := archiveWeb(t)
	rows, raw := cdx(t, w, "url=example.com/page&output=json")
	want := `[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],
["com,example)/page","20100101000000","http://example.com/page","text/html","200","`
	if !strings.HasPrefix(raw, want) {
		t.Fatalf("CDX json:\n%s\nwant prefix:\n%s", raw, want)
	}
	if len(rows) != 4 || rows[2][2] != "https://www.example.com/page" || rows[3][4] != "404" {
		t.Fatalf("rows %q", rows)
	}
	if len(rows[1][5]) != 32 || rows[1][6] != "38" {
		t.Errorf("digest/length %q %q", rows[1][5], rows[1][6])
	}

	for _, tc := range []struct {
		query string
		times []string // timestamps of the data rows
	}{
		{"url=example.com/page&output=json&filter=statuscode:200", []string{"20100101000000", "20140126200804"}},
		{"url=example.com/page&output=json&filter=!statuscode:2..", []string{"20200101000000"}},
		{"url=example.com/page&output=json&limit=1", []string{"20100101000000"}},
		{"url=example.com/page&output=json&limit=-1", []string{"20200101000000"}},
		{"url=example.com/page&output=json&from=2011&to=2019", []string{"20140126200804"}},
		{"url=example.com/page&output=json&to=2014", []string{"20100101000000", "20140126200804"}},
		{"url=example.com/page&output=json&collapse=mimetype", []string{"20100101000000"}},
		{"url=example.com/page&output=json&collapse=timestamp:3", []string{"20100101000000", "20200101000000"}},
		{"url=example.com/*&output=json", []string{"20150505050505", "20100101000000", "20140126200804", "20200101000000"}},
		{"url=example.com&matchType=host&output=json&filter=original:.*other", []string{"20150505050505"}},
		{"url=*.example.com&output=json&filter=statuscode:200&limit=-2", []string{"20140126200804", "20160606060606"}},
		{"url=example.com/nothing&output=json", nil},
	} {
		rows, raw := cdx(t, w, tc.query)
		var got []string
		for i, r := range rows {
			if i > 0 {
				got = append(got, r[1])
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.times, ",") {
			t.Errorf("%s: timestamps %v, want %v\n%s", tc.query, got, tc.times, raw)
		}
		if tc.times == nil && strings.TrimSpace(raw) != "[]" {
			t.Errorf("%s: empty result %q, want []", tc.query, raw)
		}
	}

	// fl picks and orders fields, header included.
	rows, _ = cdx(t, w, "url=example.com/other&output=json&fl=timestamp,original")
	if len(rows) != 2 || strings.Join(rows[0], ",") != "timestamp,original" || rows[1][1] != "http://example.com/other" {
		t.Errorf("fl rows %q", rows)
	}

	// Plain text: space-separated, no header.
	_, raw = cdx(t, w, "url=example.com/other")
	if !strings.HasPrefix(raw, "com,example)/other 20150505050505 http://example.com/other text/html 200 ") ||
		strings.Count(raw, "\n") != 1 {
		t.Errorf("text output %q", raw)
	}

	// Resume keys page through the results.
	rows, _ = cdx(t, w, "url=example.com/page&output=json&limit=2&showResumeKey=true")
	if len(rows) != 5 || len(rows[3]) != 0 || len(rows[4]) != 1 {
		t.Fatalf("resume rows %q", rows)
	}
	rows, _ = cdx(t, w, "url=example.com/page&output=json&limit=2&resumeKey="+url.QueryEscape(rows[4][0]))
	if len(rows) != 2 || rows[1][1] != "20200101000000" {
		t.Errorf("after resume %q", rows)
	}

	for _, bad := range []string{"output=json", "url=example.com&filter=nosuch:x", "url=example.com&matchType=weird", "url=example.com&limit=x"} {
		resp, _ := get(t, w.Client(), "https://web.archive.org/cdx/search/cdx?"+bad)
		wantStatus(t, resp, 400)
	}
}

func TestMementoTimeGate(t *testing.T) {
	w, _ := archiveWeb(t)
	c := noRedirects(w)
	const tg = "https://web.archive.org/timegate/http://example.com/page"

	resp, _ := get(t, c, tg, "Accept-Datetime", "Sun, 26 Jan 2014 20:08:00 GMT")
	wantStatus(t, resp, 302)
	if got := resp.Header.Get("Location"); got != "https://web.archive.org/web/20140126200804/https://www.example.com/page" {
		t.Errorf("Location %q", got)
	}
	if resp.Header.Get("Vary") != "accept-datetime" {
		t.Errorf("Vary %q", resp.Header.Get("Vary"))
	}
	link := resp.Header.Get("Link")
	for _, want := range []string{
		`<http://example.com/page>; rel="original"`,
		`<https://web.archive.org/timemap/link/http://example.com/page>; rel="timemap"; type="application/link-format"`,
		`<https://web.archive.org/web/20100101000000/http://example.com/page>; rel="first memento"; datetime="Fri, 01 Jan 2010 00:00:00 GMT"`,
		`<https://web.archive.org/web/20140126200804/https://www.example.com/page>; rel="memento"; datetime="Sun, 26 Jan 2014 20:08:04 GMT"`,
		`<https://web.archive.org/web/20200101000000/http://example.com/page>; rel="last memento"; datetime="Wed, 01 Jan 2020 00:00:00 GMT"`,
	} {
		wantContains(t, "TimeGate Link", link, want)
	}

	// No Accept-Datetime: the latest memento, which is also "last".
	resp, _ = get(t, c, tg)
	wantStatus(t, resp, 302)
	if !strings.HasSuffix(resp.Header.Get("Location"), "/web/20200101000000/http://example.com/page") {
		t.Errorf("latest Location %q", resp.Header.Get("Location"))
	}
	resp, _ = get(t, c, tg, "Accept-Datetime", "last tuesday")
	wantStatus(t, resp, 400)
	resp, _ = get(t, c, "https://web.archive.org/timegate/http://unknown.example/")
	wantStatus(t, resp, 404)

	// A single memento is first, last and memento at once.
	w.Archive("web.archive.org").Add("http://solo.example/", date(2001, 2, 3, 4, 5, 6), 200, "solo")
	resp, _ = get(t, c, "https://web.archive.org/timegate/http://solo.example/")
	wantContains(t, "solo Link", resp.Header.Get("Link"), `rel="first last memento"`)
}

func TestMementoTimeMap(t *testing.T) {
	w, _ := archiveWeb(t)
	resp, body := get(t, w.Client(), "https://web.archive.org/timemap/link/http://example.com/page")
	wantStatus(t, resp, 200)
	if resp.Header.Get("Content-Type") != "application/link-format" || resp.Header.Get("X-Memento-Count") != "3" {
		t.Errorf("headers %v", resp.Header)
	}
	want := `<http://example.com/page>; rel="original",
<https://web.archive.org/timegate/http://example.com/page>; rel=timegate,
<https://web.archive.org/timemap/link/http://example.com/page>; rel="self"; type="application/link-format"; from="Fri, 01 Jan 2010 00:00:00 GMT"; until="Wed, 01 Jan 2020 00:00:00 GMT",
<https://web.archive.org/web/20100101000000/http://example.com/page>; rel="first memento"; datetime="Fri, 01 Jan 2010 00:00:00 GMT",
<https://web.archive.org/web/20140126200804/https://www.example.com/page>; rel=memento; datetime="Sun, 26 Jan 2014 20:08:04 GMT"; collection="fakeweb",
<https://web.archive.org/web/20200101000000/http://example.com/page>; rel="last memento"; datetime="Wed, 01 Jan 2020 00:00:00 GMT"
`
	if body != want {
		t.Errorf("TimeMap:\n%s\nwant:\n%s", body, want)
	}
	// Wayback's own path works too.
	resp, _ = get(t, w.Client(), "https://web.archive.org/web/timemap/link/example.com/page")
	wantStatus(t, resp, 200)
	resp, _ = get(t, w.Client(), "https://web.archive.org/timemap/link/http://nothing.example/")
	wantStatus(t, resp, 404)
}

func TestMementos(t *testing.T) {
	w, _ := archiveWeb(t)
	c := noRedirects(w)
	resp, body := get(t, c, "https://web.archive.org/web/20100101000000/http://example.com/page")
	wantStatus(t, resp, 200)
	if resp.Header.Get("Memento-Datetime") != "Fri, 01 Jan 2010 00:00:00 GMT" {
		t.Errorf("Memento-Datetime %q", resp.Header.Get("Memento-Datetime"))
	}
	link := resp.Header.Get("Link")
	wantContains(t, "memento Link", link, `<http://example.com/page>; rel="original"`)
	wantContains(t, "memento Link", link, `<https://web.archive.org/timegate/http://example.com/page>; rel="timegate"`)
	wantContains(t, "replay", body, "BEGIN WAYBACK TOOLBAR INSERT")
	wantContains(t, "replay", body, "<p>first</p>")

	// id_ gives the bytes as captured.
	_, raw := get(t, c, "https://web.archive.org/web/20100101000000id_/http://example.com/page")
	if raw != "<html><body><p>first</p></body></html>" {
		t.Errorf("id_ body %q", raw)
	}
	// A capture of a 404 replays as a 404.
	resp, _ = get(t, c, "https://web.archive.org/web/20200101000000/http://example.com/page")
	wantStatus(t, resp, 404)

	// Inexact timestamps redirect to the closest capture, keeping id_.
	resp, _ = get(t, c, "https://web.archive.org/web/2013id_/http://example.com/page")
	wantStatus(t, resp, 302)
	if got := resp.Header.Get("Location"); got != "https://web.archive.org/web/20140126200804id_/https://www.example.com/page" {
		t.Errorf("closest Location %q", got)
	}
	resp, _ = get(t, c, "https://web.archive.org/web/http://example.com/other")
	wantStatus(t, resp, 302)
	if got := resp.Header.Get("Location"); got != "https://web.archive.org/web/20150505050505/http://example.com/other" {
		t.Errorf("no-timestamp Location %q", got)
	}
	resp, _ = get(t, c, "https://web.archive.org/web/20100101000000/http://nothing.example/")
	wantStatus(t, resp, 404)

	// Following the redirects with a default client lands on the memento.
	resp, body = get(t, w.Client(), "https://web.archive.org/timegate/http://example.com/page")
	wantStatus(t, resp, 404) // the latest capture is the 404
	wantContains(t, "followed", body, "gone")
	if resp.Header.Get("Memento-Datetime") == "" {
		t.Error("followed TimeGate did not end on a memento")
	}
}

func TestURLKey(t *testing.T) {
	for in, want := range map[string]string{
		"http://www.Example.com/Page?b=1":   "com,example)/page?b=1",
		"https://example.com:443/":          "com,example)/",
		"example.com":                       "com,example)/",
		"http://news.example.co.uk:8080/x/": "uk,co,example,news:8080)/x/",
		"http://www.com/":                   "com,www)/",
	} {
		got, err := urlKey(in)
		if err != nil || got != want {
			t.Errorf("urlKey(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
