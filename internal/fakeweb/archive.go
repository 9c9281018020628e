package fakeweb

import (
	"crypto/sha1"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Archive is a fake public web archive served on one host. It speaks the
// formats of the project's archive-API reference (Wayback availability,
// CDX, Memento TimeGate/TimeMap/mementos per RFC 7089) at these paths:
//
//	/wayback/available?url=U&timestamp=T   availability JSON
//	/cdx/search/cdx?url=U&output=json&…     CDX rows
//	/timegate/U                             Memento TimeGate (Accept-Datetime)
//	/timemap/link/U, /web/timemap/link/U    Memento TimeMap
//	/web/TS/U, /web/TSid_/U                 mementos (id_: original bytes)
//
// URLs it returns use the scheme and Host of the request, so one Archive
// works over HTTP and HTTPS and under whatever name a test gives it. URLs
// are matched the Wayback way: scheme, "www." and default ports are
// ignored, and the comparison is case-insensitive.
type Archive struct {
	host string

	mu   sync.Mutex
	caps map[string][]capture // by urlkey, oldest first
}

type capture struct {
	key      string
	original string
	ts       string // 14 digits, UTC
	t        time.Time
	status   int
	body     string
	ctype    string
	digest   string
}

// Archive returns the archive served on host, creating it (and the site, its
// Fallback set to the archive) on first use.
func (w *Web) Archive(host string) *Archive {
	host = canonicalHost(host)
	w.mu.Lock()
	a := w.archives[host]
	created := a == nil
	if created {
		a = &Archive{host: host, caps: make(map[string][]capture)}
		w.archives[host] = a
	}
	w.mu.Unlock()
	if created {
		w.Site(host).Fallback(a)
	}
	return a
}

const tsLayout = "20060102150405"

// Add records a capture of rawURL taken at t (kept to the second, in UTC)
// that answered status with body. A second capture of the same URL at the
// same second replaces the first. It panics on a URL that does not parse,
// which is a mistake in the test.
func (a *Archive) Add(rawURL string, t time.Time, status int, body string) *Archive {
	key, err := urlKey(rawURL)
	if err != nil {
		panic("fakeweb: Archive.Add: " + err.Error())
	}
	original := rawURL
	if !strings.Contains(original, "://") {
		original = "http://" + original
	}
	t = t.UTC().Truncate(time.Second)
	sum := sha1.Sum([]byte(body))
	c := capture{
		key:      key,
		original: original,
		ts:       t.Format(tsLayout),
		t:        t,
		status:   status,
		body:     body,
		ctype:    http.DetectContentType([]byte(body)),
		digest:   base32.StdEncoding.EncodeToString(sum[:]),
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	list := a.caps[key]
	i := sort.Search(len(list), func(i int) bool { return list[i].ts >= c.ts })
	if i < len(list) && list[i].ts == c.ts {
		list[i] = c
	} else {
		list = append(list, capture{})
		copy(list[i+1:], list[i:])
		list[i] = c
	}
	a.caps[key] = list
	return a
}

// urlKey is a SURT-style canonical key: "com,example)/page?q". Wayback
// sorts and matches captures by such keys, which is why http/https and
// www./no-www. variants find the same captures.
func urlKey(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", fmt.Errorf("no host in %q", raw)
	}
	if rest, ok := strings.CutPrefix(host, "www."); ok && strings.Contains(rest, ".") {
		host = rest
	}
	labels := strings.Split(host, ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	key := strings.Join(labels, ",")
	if p := u.Port(); p != "" && p != "80" && p != "443" {
		key += ":" + p
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	key += ")" + path
	if u.RawQuery != "" {
		key += "?" + u.RawQuery
	}
	return strings.ToLower(key), nil
}

// captures returns a copy of the captures of rawURL, oldest first.
func (a *Archive) captures(rawURL string) []capture {
	key, err := urlKey(rawURL)
	if err != nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]capture(nil), a.caps[key]...)
}

// closest is the capture nearest t, either side; ties go to the earlier one.
func closest(caps []capture, t time.Time) int {
	best := 0
	for i := range caps {
		if absDur(caps[i].t.Sub(t)) < absDur(caps[best].t.Sub(t)) {
			best = i
		}
	}
	return best
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// padTS completes a 1–14 digit timestamp: upward bounds ("to") round up to
// the end of the period, everything else down to its start.
func padTS(s string, upper bool) (string, bool) {
	if len(s) == 0 || len(s) > 14 {
		return "", false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	if upper {
		return s + "99991231235959"[len(s):], true
	}
	return s + "00000101000000"[len(s):], true
}

func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// rawTarget is the request target as sent, so an archived URL embedded in
// the path keeps its own "//", query and escapes.
func rawTarget(r *http.Request) string {
	t := r.RequestURI
	if !strings.HasPrefix(t, "/") {
		if u, err := url.Parse(t); err == nil {
			t = u.RequestURI()
		}
	}
	return t
}

// ServeHTTP routes the archive endpoints; anything else is 404.
func (a *Archive) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	target := rawTarget(r)
	switch {
	case r.URL.Path == "/wayback/available":
		a.available(rw, r)
	case r.URL.Path == "/cdx/search/cdx":
		a.cdx(rw, r)
	case strings.HasPrefix(target, "/timegate/"):
		a.timegate(rw, r, strings.TrimPrefix(target, "/timegate/"))
	case strings.HasPrefix(target, "/timemap/link/"):
		a.timemap(rw, r, strings.TrimPrefix(target, "/timemap/link/"))
	case strings.HasPrefix(target, "/web/timemap/link/"):
		a.timemap(rw, r, strings.TrimPrefix(target, "/web/timemap/link/"))
	case strings.HasPrefix(target, "/web/"):
		a.memento(rw, r, strings.TrimPrefix(target, "/web/"))
	default:
		NotFound().ServeHTTP(rw, r)
	}
}

func (a *Archive) mementoURL(base string, c capture, mod string) string {
	return base + "/web/" + c.ts + mod + "/" + c.original
}

type availClosest struct {
	Available bool   `json:"available"`
	URL       string `json:"url"`
	Timestamp string `json:"timestamp"`
	Status    string `json:"status"`
}

type availSnapshots struct {
	Closest *availClosest `json:"closest,omitempty"`
}

type availResponse struct {
	ArchivedSnapshots availSnapshots `json:"archived_snapshots"`
}

// available is the Wayback availability API: the capture closest to
// timestamp (either side), or the latest without one.
func (a *Archive) available(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var resp availResponse
	if caps := a.captures(q.Get("url")); len(caps) > 0 {
		i := len(caps) - 1
		if ts, ok := padTS(q.Get("timestamp"), false); ok {
			if t, err := time.Parse(tsLayout, ts); err == nil {
				i = closest(caps, t)
			}
		}
		c := caps[i]
		resp.ArchivedSnapshots.Closest = &availClosest{
			Available: true,
			URL:       a.mementoURL(baseURL(r), c, ""),
			Timestamp: c.ts,
			Status:    strconv.Itoa(c.status),
		}
	}
	b, _ := json.Marshal(resp)
	rw.Header().Set("Content-Type", "application/json")
	rw.Write(append(b, '\n'))
}

// linkEntry is one entry of a Link header or link-format document.
type linkEntry struct {
	uri   string
	attrs []string // already formatted: rel="memento", datetime="…"
}

func joinLinks(entries []linkEntry, sep string) string {
	parts := make([]string, len(entries))
	for i, e := range entries {
		parts[i] = "<" + e.uri + ">; " + strings.Join(e.attrs, "; ")
	}
	return strings.Join(parts, sep)
}

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// mementoRels is the rel value of capture i of n: "memento", with "first"
// and "last" in front where they apply (RFC 7089 §2.2.1.4).
func mementoRels(i, n int) string {
	var rel []string
	if i == 0 {
		rel = append(rel, "first")
	}
	if i == n-1 {
		rel = append(rel, "last")
	}
	return strings.Join(append(rel, "memento"), " ")
}

// timegate answers with a 302 to the memento closest to Accept-Datetime, or
// to the latest one without that header.
func (a *Archive) timegate(rw http.ResponseWriter, r *http.Request, orig string) {
	caps := a.captures(orig)
	if len(caps) == 0 {
		NotFound().ServeHTTP(rw, r)
		return
	}
	sel := len(caps) - 1
	if v := r.Header.Get("Accept-Datetime"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			Respond(http.StatusBadRequest, "text/plain; charset=utf-8", "bad Accept-Datetime\n").ServeHTTP(rw, r)
			return
		}
		sel = closest(caps, t)
	}
	base := baseURL(r)
	entries := []linkEntry{
		{caps[0].original, []string{`rel="original"`}},
		{base + "/timemap/link/" + caps[0].original, []string{`rel="timemap"`, `type="application/link-format"`}},
	}
	for _, i := range uniqueInts(0, sel, len(caps)-1) {
		entries = append(entries, linkEntry{a.mementoURL(base, caps[i], ""), []string{
			`rel="` + mementoRels(i, len(caps)) + `"`, `datetime="` + httpDate(caps[i].t) + `"`,
		}})
	}
	h := rw.Header()
	h.Set("Location", a.mementoURL(base, caps[sel], ""))
	h.Set("Vary", "accept-datetime")
	h.Set("Link", joinLinks(entries, ", "))
	h.Set("Content-Type", "text/plain; charset=utf-8")
	rw.WriteHeader(http.StatusFound)
	fmt.Fprintf(rw, "Found: %s\n", caps[sel].ts)
}

// uniqueInts returns its arguments in order without repeats.
func uniqueInts(xs ...int) []int {
	var out []int
	for _, x := range xs {
		dup := false
		for _, y := range out {
			dup = dup || x == y
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// timemap lists every memento in application/link-format. It deliberately
// mixes quoted and unquoted attribute values, multi-word rels and extra
// attributes, one entry per line, because real archives do and clients must
// cope.
func (a *Archive) timemap(rw http.ResponseWriter, r *http.Request, orig string) {
	caps := a.captures(orig)
	if len(caps) == 0 {
		NotFound().ServeHTTP(rw, r)
		return
	}
	base := baseURL(r)
	entries := []linkEntry{
		{caps[0].original, []string{`rel="original"`}},
		{base + "/timegate/" + caps[0].original, []string{`rel=timegate`}},
		{base + "/timemap/link/" + caps[0].original, []string{`rel="self"`, `type="application/link-format"`,
			`from="` + httpDate(caps[0].t) + `"`, `until="` + httpDate(caps[len(caps)-1].t) + `"`}},
	}
	for i, c := range caps {
		rel := mementoRels(i, len(caps))
		attrs := []string{`rel="` + rel + `"`, `datetime="` + httpDate(c.t) + `"`}
		if rel == "memento" && i%2 == 1 {
			attrs = []string{`rel=memento`, `datetime="` + httpDate(c.t) + `"`, `collection="fakeweb"`}
		}
		entries = append(entries, linkEntry{a.mementoURL(base, c, ""), attrs})
	}
	rw.Header().Set("Content-Type", "application/link-format")
	rw.Header().Set("X-Memento-Count", strconv.Itoa(len(caps)))
	rw.Write([]byte(joinLinks(entries, ",\n") + "\n"))
}

// memento replays a capture. "TS/URL" with an exact 14-digit timestamp is
// served with Memento-Datetime and a Wayback-style banner inserted into
// HTML; "TSid_/URL" gives the original bytes. Other timestamps redirect to
// the closest capture, as Wayback does; no timestamp redirects to the
// latest.
func (a *Archive) memento(rw http.ResponseWriter, r *http.Request, rest string) {
	stamp, orig, ok := strings.Cut(rest, "/")
	digits := strings.TrimRightFunc(stamp, func(c rune) bool { return c < '0' || c > '9' })
	ts, valid := padTS(digits, false)
	if !ok || !valid || len(digits) == 0 {
		// "/web/http://…": no timestamp at all.
		orig, stamp, digits = rest, "", ""
	}
	mod := stamp[len(digits):]
	caps := a.captures(orig)
	if len(caps) == 0 {
		NotFound().ServeHTTP(rw, r)
		return
	}
	base := baseURL(r)
	sel := len(caps) - 1
	if digits != "" {
		if t, err := time.Parse(tsLayout, ts); err == nil {
			sel = closest(caps, t)
		}
	}
	c := caps[sel]
	if len(digits) != 14 || c.ts != digits {
		redirect(rw, http.StatusFound, a.mementoURL(base, c, mod))
		return
	}
	h := rw.Header()
	h.Set("Memento-Datetime", httpDate(c.t))
	h.Set("Link", joinLinks([]linkEntry{
		{c.original, []string{`rel="original"`}},
		{base + "/timegate/" + c.original, []string{`rel="timegate"`}},
		{base + "/timemap/link/" + c.original, []string{`rel="timemap"`, `type="application/link-format"`}},
	}, ", "))
	h.Set("Content-Type", c.ctype)
	body := c.body
	if mod != "id_" && strings.HasPrefix(c.ctype, "text/html") {
		body = withBanner(body, c.ts)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(c.status)
	rw.Write([]byte(body))
}

// withBanner inserts a Wayback-style toolbar after <body>, so tests can tell
// a replay from the raw id_ capture.
func withBanner(body, ts string) string {
	banner := "<!-- BEGIN WAYBACK TOOLBAR INSERT --><div id=\"wm-ipp\">fakeweb archive capture " +
		ts + "</div><!-- END WAYBACK TOOLBAR INSERT -->"
	lower := strings.ToLower(body)
	if i := strings.Index(lower, "<body"); i >= 0 {
		if j := strings.IndexByte(lower[i:], '>'); j >= 0 {
			at := i + j + 1
			return body[:at] + banner + body[at:]
		}
	}
	return banner + body
}
