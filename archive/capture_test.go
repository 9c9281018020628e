package archive

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/store"
)

const articleURL = "https://news.example/2024/04/29/harbour-breakwater"

func TestCaptureArticleAndRestoreEveryFormat(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	page := articlePage("Harbour Board Votes to Replace Breakwater", harbourParas...)
	w.Site("news.example").Page("/2024/04/29/harbour-breakwater", fakeweb.Respond(200, "text/html; charset=utf-8", page))
	e := newEnv(t, nil)

	r := fetch(t, w, articleURL, t0)
	s := e.capture(t, r, Captured)
	if s.ID == 0 || s.Title != "Harbour Board Votes to Replace Breakwater" || s.Byline == "" ||
		s.SiteName != "The Harbour Gazette" || !strings.HasPrefix(s.Published, "2024-04-29") || s.Words < 100 {
		t.Errorf("snapshot metadata: %+v", s)
	}
	if s.Excerpt == "" || s.Language != "en" {
		t.Errorf("excerpt %q, language %q", s.Excerpt, s.Language)
	}
	if s.WARCType != store.WARCResponse || s.WARCFile == "" || s.HTMLBlob == "" || s.TextBlob == "" || s.RawBlob == "" {
		t.Errorf("snapshot storage: %+v", s)
	}

	clutter := []string{"Subscribe today", "World news", "cheap watches", "Accept all cookies",
		"Most read", "Celebrity chef", "Copyright 2024", "Privacy policy", "pageview-tracking-secret", "dataLayer"}

	text := string(e.restore(t, articleURL, FormatText))
	for _, p := range harbourParas {
		if !strings.Contains(text, p) {
			t.Errorf("restored text lacks %q", p)
		}
	}
	for _, c := range clutter {
		if strings.Contains(text, c) {
			t.Errorf("restored text has clutter %q", c)
		}
	}

	page2 := html.UnescapeString(string(e.restore(t, articleURL, FormatHTML)))
	for _, want := range []string{"Archived copy", articleURL, "1 May 2024, 09:30 UTC", "Content-Security-Policy",
		"default-src 'none'", harbourParas[0], harbourParas[4], "[image: The old breakwater at dawn]"} {
		if !strings.Contains(page2, want) {
			t.Errorf("restored HTML lacks %q", want)
		}
	}
	lower := strings.ToLower(page2)
	for _, bad := range []string{"<script", "onerror", "onclick", "<iframe", "ads.example", "cdn.example", "tracker", "<link"} {
		if strings.Contains(lower, bad) {
			t.Errorf("restored HTML has %q", bad)
		}
	}
	for _, c := range clutter {
		if strings.Contains(page2, c) {
			t.Errorf("restored HTML has clutter %q", c)
		}
	}
	if strings.Index(page2, "Archived copy") > strings.Index(page2, harbourParas[0]) {
		t.Error("the banner is not before the article")
	}

	if raw := e.restore(t, articleURL, FormatRaw); !bytes.Equal(raw, []byte(page)) {
		t.Errorf("raw copy differs from the page served (%d vs %d bytes)", len(raw), len(page))
	}

	// The WARC copy is a valid file on its own: warcinfo, response, request.
	wf := e.restore(t, articleURL, FormatWARC)
	recs, err := tParseWARC(wf)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, r := range recs {
		types = append(types, r.get("WARC-Type"))
	}
	if !slices.Equal(types, []string{"warcinfo", "response", "request"}) {
		t.Fatalf("restored WARC has records %v", types)
	}
	if recs[1].get("WARC-Record-ID") != s.WARCRecordID || recs[1].get("WARC-Target-URI") != articleURL {
		t.Errorf("restored response record: %v", recs[1].fields)
	}
	if _, payload := tHTTPPart(t, recs[1].block); !bytes.Equal(payload, []byte(page)) {
		t.Error("restored WARC payload differs from the page")
	}
	if !strings.HasPrefix(string(recs[2].block), "GET /2024/04/29/harbour-breakwater HTTP/1.1\r\nHost: news.example\r\nUser-Agent: linkrot-test/1.0\r\n") {
		t.Errorf("request block %q", recs[2].block)
	}

	// RestoreAll: every format and meta.json.
	out := filepath.Join(t.TempDir(), "copy")
	if _, err := e.a.RestoreAll(ctxT(t), articleURL, time.Time{}, out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"article.html", "article.txt", "raw.html", "capture.warc.gz", "meta.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("RestoreAll did not write %s: %v", name, err)
		}
	}
	var meta MetaJSON
	b, _ := os.ReadFile(filepath.Join(out, "meta.json"))
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.URL != articleURL || meta.Title != s.Title || !meta.CapturedAt.Equal(t0) || len(meta.Files) != 4 || meta.WARC == nil {
		t.Errorf("meta.json: %s", b)
	}
	if ps, _ := e.verify(t); len(ps) != 0 {
		t.Errorf("verify found problems in a clean archive: %v", ps)
	}
}

func TestCaptureLegacyCharsets(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	ru := "<p>Совет гавани во вторник проголосовал за замену старого волнореза, который защищал рыболовный флот с 1911 года, но был сильно повреждён зимними штормами.</p>" +
		"<p>Инженеры сообщили совету, что новое сооружение будет построено из бетонных блоков весом двенадцать тонн каждый и выдвинется на сорок метров дальше в залив.</p>" +
		"<p>Рыбаки приветствовали решение, хотя несколько человек пожаловались, что строительство закроет северный канал на большую часть следующего летнего сезона.</p>"
	fr := "<p>Le conseil du port a voté mardi le remplacement de l'ancienne digue, qui protège la flotte de pêche depuis 1911 mais a été gravement endommagée par les tempêtes de l'hiver dernier.</p>" +
		"<p>Les ingénieurs ont expliqué que la nouvelle structure sera construite en blocs de béton de douze tonnes chacun et s'avancera de quarante mètres plus loin dans la baie.</p>" +
		"<p>Les pêcheurs ont salué la décision, même si plusieurs se sont plaints que les travaux fermeront le chenal nord pendant la majeure partie de l'été prochain.</p>"
	w.Site("charsets.example").
		Page("/ru-header", fakeweb.Charset("windows-1251", fakeweb.InHeader, "Замена волнореза", ru)).
		Page("/ru-meta", fakeweb.Charset("windows-1251", fakeweb.InMeta, "Замена волнореза", ru)).
		Page("/fr", fakeweb.Charset("iso-8859-1", fakeweb.InHeader|fakeweb.InMeta, "Une nouvelle digue", fr))
	e := newEnv(t, nil)
	for _, tc := range []struct {
		path, title, sentence string
	}{
		{"/ru-header", "Замена волнореза", "Инженеры сообщили совету, что новое сооружение будет построено из бетонных блоков"},
		{"/ru-meta", "Замена волнореза", "Рыбаки приветствовали решение"},
		{"/fr", "Une nouvelle digue", "Les ingénieurs ont expliqué que la nouvelle structure sera construite en blocs de béton"},
	} {
		u := "https://charsets.example" + tc.path
		r := fetch(t, w, u, t0)
		if bytes.Contains(r.Body, []byte(tc.sentence)) {
			t.Fatalf("%s: the page is served as UTF-8; the test needs legacy bytes", u)
		}
		s := e.capture(t, r, Captured)
		if s.Title != tc.title {
			t.Errorf("%s: title %q, want %q", u, s.Title, tc.title)
		}
		if text := string(e.restore(t, u, FormatText)); !strings.Contains(text, tc.sentence) {
			t.Errorf("%s: restored text lacks %q:\n%s", u, tc.sentence, text)
		}
		if page := html.UnescapeString(string(e.restore(t, u, FormatHTML))); !strings.Contains(page, tc.sentence) || !strings.Contains(page, `<meta charset="utf-8">`) {
			t.Errorf("%s: restored HTML lacks the decoded sentence or the UTF-8 declaration", u)
		}
		if raw := e.restore(t, u, FormatRaw); !bytes.Equal(raw, r.Body) {
			t.Errorf("%s: raw copy is not the bytes served", u)
		}
	}
}

func TestCapturePDFKeptRaw(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	w.Site("papers.example").Page("/breakwater.pdf", fakeweb.PDF("Breakwater study", "Wave loads on the northern breakwater."))
	e := newEnv(t, nil)
	const u = "https://papers.example/breakwater.pdf"
	r := fetch(t, w, u, t0)
	s := e.capture(t, r, Captured)
	if s.ContentType != "application/pdf" || s.HTMLBlob != "" || s.TextBlob != "" || s.RawBlob == "" {
		t.Errorf("PDF snapshot: %+v", s)
	}
	if got := SnapshotFormats(s); !slices.Equal(got, []string{FormatRaw, FormatWARC}) {
		t.Errorf("formats %v", got)
	}
	if raw := e.restore(t, u, FormatRaw); !bytes.Equal(raw, r.Body) || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Error("PDF not restored byte-identical")
	}
	var b bytes.Buffer
	if _, err := e.a.Restore(ctxT(t), u, time.Time{}, FormatHTML, &b); !errors.Is(err, ErrFormatUnavailable) {
		t.Errorf("HTML of a PDF: %v", err)
	}
	if RestoreFileName(FormatRaw, s) != "raw.pdf" {
		t.Errorf("raw file name %q", RestoreFileName(FormatRaw, s))
	}

	// Larger than max_size: not capturable.
	big := newEnv(t, func(c *config.Archive) { c.MaxSize = config.ByteSize(len(r.Body) - 1) })
	big.capture(t, r, Skipped)
}

func TestDedupAndChangeRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil) // min_interval 24h
	const u = "https://news.example/a"
	page := articlePage("Harbour Board Votes to Replace Breakwater", harbourParas...)
	first := e.capture(t, htmlResponse(u, page, t0), Captured)
	blobs := len(e.blobFiles(t))
	warcSize := fileSize(t, e.warcFiles(t)[0])

	// The same bytes a week later: unchanged, nothing stored.
	e.clock.add(7 * 24 * time.Hour)
	s := e.capture(t, htmlResponse(u, page, t0.Add(7*24*time.Hour)), Unchanged)
	if s.ID != first.ID || s.SeenCount != 2 || !s.LastSeen.Equal(t0.Add(7*24*time.Hour)) {
		t.Errorf("unchanged: %+v", s)
	}
	// Different bytes, same article (the ads rotated): still unchanged.
	rotated := strings.Replace(page, "Buy cheap watches now and win a cruise", "Visit the spa this weekend", 1)
	e.capture(t, htmlResponse(u, rotated, t0.Add(8*24*time.Hour)), Unchanged)
	if n := len(e.blobFiles(t)); n != blobs {
		t.Errorf("unchanged captures stored blobs: %d → %d", blobs, n)
	}
	if n := fileSize(t, e.warcFiles(t)[0]); n != warcSize || len(e.warcFiles(t)) != 1 {
		t.Errorf("unchanged captures wrote WARC records")
	}
	latest, err := e.st.LatestSnapshot(ctxT(t), u)
	if err != nil || latest.ID != first.ID || latest.SeenCount != 3 {
		t.Errorf("latest after sightings: %+v, %v", latest, err)
	}

	// A real change soon after the last snapshot... (the last snapshot is
	// the first capture; sightings do not restart min_interval)
	e2 := newEnv(t, nil)
	e2.capture(t, htmlResponse(u, page, t0), Captured)
	changed := articlePage("Harbour Board Votes to Replace Breakwater", append(slices.Clone(harbourParas),
		"Update: the board later said the work will start in November instead.")...)
	s = e2.capture(t, htmlResponse(u, changed, t0.Add(23*time.Hour)), TooSoon)
	if s.CapturedAt != t0 {
		t.Errorf("TooSoon returned %+v, want the latest snapshot", s)
	}
	s = e2.capture(t, htmlResponse(u, changed, t0.Add(25*time.Hour)), Captured)
	var ids []int64
	e2.st.Snapshots(ctxT(t), u, func(s store.Snapshot) error { ids = append(ids, s.ID); return nil })
	if len(ids) != 2 || ids[0] != s.ID {
		t.Errorf("snapshots after the change: %v", ids)
	}
	if text := string(e2.restore(t, u, FormatText)); !strings.Contains(text, "start in November") {
		t.Error("latest copy is not the changed one")
	}
	// The earlier copy is still there by time.
	var b bytes.Buffer
	if old, err := e2.a.Restore(ctxT(t), u, t0.Add(time.Hour), FormatText, &b); err != nil || old.CapturedAt != t0 || strings.Contains(b.String(), "November") {
		t.Errorf("restore --at the first day: %v, %v", old.CapturedAt, err)
	}
}

func TestIdenticalPayloadIsRevisit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	page := articlePage("Harbour Board Votes to Replace Breakwater", harbourParas...)
	a := e.capture(t, htmlResponse("https://news.example/a", page, t0), Captured)
	blobs := len(e.blobFiles(t))
	// The same bytes at another URL (a mirror, http vs https).
	b := e.capture(t, htmlResponse("http://mirror.example/a", page, t0.Add(time.Hour)), Captured)
	if b.WARCType != store.WARCRevisit || a.WARCType != store.WARCResponse || b.RawBlob != a.RawBlob || b.HTMLBlob != a.HTMLBlob {
		t.Errorf("second copy of the same payload: %+v", b)
	}
	if n := len(e.blobFiles(t)); n != blobs {
		t.Errorf("identical payload stored new blobs: %d → %d", blobs, n)
	}
	// A→B→A on one link: the return to A is a revisit of the first A.
	const u = "https://news.example/flip"
	changed := articlePage("Harbour Board Votes to Replace Breakwater", harbourParas[:3]...)
	e.capture(t, htmlResponse(u, changed, t0.Add(48*time.Hour)), Captured)
	back := e.capture(t, htmlResponse(u, page, t0.Add(96*time.Hour)), Captured)
	if back.WARCType != store.WARCRevisit {
		t.Errorf("return to earlier content: %s record", back.WARCType)
	}

	recs := tReadWARC(t, e.warcFiles(t)[0])
	var revisits []tRecord
	byID := map[string]tRecord{}
	for _, r := range recs {
		byID[r.get("WARC-Record-ID")] = r
		if r.get("WARC-Type") == "revisit" {
			revisits = append(revisits, r)
		}
	}
	if len(revisits) != 2 {
		t.Fatalf("%d revisit records, want 2", len(revisits))
	}
	for _, rv := range revisits {
		orig, ok := byID[rv.get("WARC-Refers-To")]
		if !ok || orig.get("WARC-Type") != "response" || rv.get("WARC-Refers-To") != a.WARCRecordID {
			t.Errorf("revisit refers to %q, not to the first response", rv.get("WARC-Refers-To"))
		}
		if rv.get("WARC-Payload-Digest") != orig.get("WARC-Payload-Digest") ||
			rv.get("WARC-Profile") != warcRevisitProfile ||
			rv.get("WARC-Refers-To-Target-URI") != "https://news.example/a" ||
			rv.get("WARC-Refers-To-Date") != orig.get("WARC-Date") {
			t.Errorf("revisit fields: %v", rv.fields)
		}
		if head, payload := tHTTPPart(t, rv.block); len(payload) != 0 || !strings.HasPrefix(head, "HTTP/1.1 200 OK\r\n") {
			t.Errorf("revisit block should be the HTTP headers only: %q", rv.block)
		}
	}
	// Restoring the revisit gives the page, and its WARC copy carries the
	// response it refers to.
	if raw := e.restore(t, "http://mirror.example/a", FormatRaw); string(raw) != page {
		t.Error("raw copy of the revisit")
	}
	wf := e.restore(t, "http://mirror.example/a", FormatWARC)
	got, err := tParseWARC(wf)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, r := range got {
		types = append(types, r.get("WARC-Type"))
	}
	if !slices.Equal(types, []string{"warcinfo", "response", "revisit", "request"}) {
		t.Errorf("WARC copy of a revisit: %v", types)
	}
}

func TestFailuresNeverReplaceGoodCopy(t *testing.T) {
	t.Parallel()
	w := newWeb(t)
	w.Site("news.example").
		Page("/a", fakeweb.Respond(200, "text/html; charset=utf-8", articlePage("Harbour Board Votes to Replace Breakwater", harbourParas...)))
	e := newEnv(t, func(c *config.Archive) { c.MinInterval = 0 })
	const u = "https://news.example/a"
	good := e.capture(t, fetch(t, w, u, t0), Captured)

	w.Site("news.example").Page("/a", fakeweb.Status(404))
	r := fetch(t, w, u, t0.Add(time.Hour))
	if r.Status != 404 {
		t.Fatalf("status %d", r.Status)
	}
	e.capture(t, r, Skipped)
	for _, st := range []int{410, 500, 503, 301, 0} {
		bad := htmlResponse(u, "<html><body><h1>Not Found</h1><p>Sorry, that page is gone.</p></body></html>", t0.Add(2*time.Hour))
		bad.Status = st
		e.capture(t, bad, Skipped)
	}
	head := htmlResponse(u, "x", t0.Add(3*time.Hour))
	head.Method = http.MethodHead
	e.capture(t, head, Skipped)
	empty := htmlResponse(u, "", t0.Add(3*time.Hour))
	e.capture(t, empty, Skipped)

	// A non-2xx row written by something else, newer than the good one,
	// still hides nothing.
	id := e.links(t, u)[u]
	if _, err := e.st.AddSnapshot(ctxT(t), store.Snapshot{LinkID: id, URL: u, CapturedAt: t0.Add(5 * time.Hour), Status: 404}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	s, err := e.a.Restore(ctxT(t), u, time.Time{}, FormatText, &b)
	if err != nil || s.ID != good.ID || !strings.Contains(b.String(), harbourParas[0]) {
		t.Errorf("latest good copy: %+v, %v", s, err)
	}
	if s, err = e.a.Restore(ctxT(t), u, t0.Add(5*time.Hour), FormatText, io.Discard); err != nil || s.ID != good.ID {
		t.Errorf("closest good copy to the failure: %+v, %v", s, err)
	}

	// Disabled archive: nothing is captured.
	off := newEnv(t, func(c *config.Archive) { c.Enabled = false })
	off.capture(t, htmlResponse(u, "<p>x</p>", t0), Skipped)
}

func TestNoLocalCopy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.links(t, "https://known.example/")
	for _, u := range []string{"https://unknown.example/", "https://known.example/"} {
		_, err := e.a.Restore(ctxT(t), u, time.Time{}, FormatHTML, io.Discard)
		if !errors.Is(err, ErrNoLocalCopy) || !strings.Contains(err.Error(), u) {
			t.Errorf("Restore(%s): %v", u, err)
		}
		if _, err := e.a.RestoreAll(ctxT(t), u, t0, t.TempDir()); !errors.Is(err, ErrNoLocalCopy) {
			t.Errorf("RestoreAll(%s): %v", u, err)
		}
	}
	if _, err := e.a.Restore(ctxT(t), "https://known.example/", time.Time{}, "pdf", io.Discard); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestResponseRecordHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	body := []byte("<html><body><p>" + strings.Repeat("Plain words for a plain page. ", 40) + "</p></body></html>")
	r := Response{
		URL: "http://gz.example/page", FinalURL: "https://gz.example/page?x=1", Status: 200,
		Header: http.Header{
			"Content-Type":      {"text/html"},
			"Content-Encoding":  {"gzip"},
			"Content-Length":    {"123"},
			"Transfer-Encoding": {"chunked"},
			"X-Evil":            {"a\r\nWARC-Type: injected"},
			"Set-Cookie":        {"a=1", "b=2"},
		},
		Body: body, FetchedAt: t0, UserAgent: "ua/1",
	}
	s := e.capture(t, r, Captured)
	if s.URL != "https://gz.example/page?x=1" {
		t.Errorf("snapshot URL %q", s.URL)
	}
	recs := tReadWARC(t, e.warcFiles(t)[0])
	if len(recs) != 3 || recs[0].get("WARC-Type") != "warcinfo" || recs[1].get("WARC-Type") != "request" || recs[2].get("WARC-Type") != "response" {
		t.Fatalf("records: %d", len(recs))
	}
	if _, ok := recs[0].fields["warc-target-uri"]; ok {
		t.Error("warcinfo has a WARC-Target-URI")
	}
	req, resp := recs[1], recs[2]
	if req.get("WARC-Concurrent-To") != resp.get("WARC-Record-ID") || resp.get("WARC-Concurrent-To") != req.get("WARC-Record-ID") {
		t.Error("request and response are not linked by WARC-Concurrent-To")
	}
	if resp.get("WARC-Target-URI") != "https://gz.example/page?x=1" || req.get("Content-Type") != "application/http;msgtype=request" ||
		resp.get("Content-Type") != "application/http;msgtype=response" {
		t.Errorf("fields: %v / %v", req.fields, resp.fields)
	}
	if !regexp.MustCompile(`^<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>$`).MatchString(resp.get("WARC-Record-ID")) {
		t.Errorf("record ID %q", resp.get("WARC-Record-ID"))
	}
	if resp.get("WARC-Date") != "2024-05-01T09:30:00Z" {
		t.Errorf("WARC-Date %q", resp.get("WARC-Date"))
	}
	head, payload := tHTTPPart(t, resp.block)
	if !bytes.Equal(payload, body) {
		t.Error("payload is not the body")
	}
	for _, want := range []string{"HTTP/1.1 200 OK\r\n", "Content-Length: " + strconv.Itoa(len(body)) + "\r\n",
		"X-Linkrot-Orig-Content-Encoding: gzip\r\n", "X-Linkrot-Orig-Transfer-Encoding: chunked\r\n",
		"X-Linkrot-Orig-Content-Length: 123\r\n", "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n", "X-Evil: a WARC-Type: injected\r\n"} {
		if !strings.Contains(head, want) {
			t.Errorf("response head lacks %q:\n%s", want, head)
		}
	}
	if regexp.MustCompile(`(?m)^(Content-Encoding|Transfer-Encoding):`).MatchString(head) {
		t.Errorf("response head keeps a wire encoding:\n%s", head)
	}
	if !strings.HasPrefix(string(req.block), "GET /page?x=1 HTTP/1.1\r\nHost: gz.example\r\nUser-Agent: ua/1\r\n\r\n") {
		t.Errorf("request block %q", req.block)
	}
}

func TestWARCRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *config.Archive) { c.MinInterval = 0 })
	e.a.fileSize = 4 << 10
	for i := range 6 {
		u := "https://rot.example/" + strconv.Itoa(i)
		e.capture(t, htmlResponse(u, articlePage("Page "+strconv.Itoa(i), harbourParas[i%5], harbourParas[(i+1)%5], strings.Repeat("Filler sentence number "+strconv.Itoa(i)+". ", 60)), t0), Captured)
	}
	files := e.warcFiles(t)
	if len(files) < 3 {
		t.Fatalf("%d WARC files after rotation at 4 KiB", len(files))
	}
	re := regexp.MustCompile(`^linkrot-\d{14}-\d{5}\.warc\.gz$`)
	for _, f := range files {
		if !re.MatchString(filepath.Base(f)) {
			t.Errorf("file name %s", filepath.Base(f))
		}
		recs := tReadWARC(t, f)
		if recs[0].get("WARC-Type") != "warcinfo" || recs[0].get("WARC-Filename") != filepath.Base(f) {
			t.Errorf("%s does not start with its warcinfo", f)
		}
		for _, r := range recs[1:] {
			if r.get("WARC-Type") == "warcinfo" {
				t.Errorf("%s: a second warcinfo", f)
			}
		}
	}
	if ps, _ := e.verify(t); len(ps) != 0 {
		t.Errorf("verify: %v", ps)
	}
}

func TestTextPlainCapture(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	r := Response{URL: "https://txt.example/notes.txt", Status: 200, Header: http.Header{"Content-Type": {"text/plain; charset=iso-8859-1"}},
		Body: []byte("Caf\xe9 notes: the harbour board met on Tuesday.\n"), FetchedAt: t0}
	s := e.capture(t, r, Captured)
	if s.TextBlob == "" || s.HTMLBlob != "" || s.Words != 8 {
		t.Errorf("text/plain snapshot: %+v", s)
	}
	if text := e.restore(t, r.URL, FormatText); !strings.Contains(string(text), "Café notes") {
		t.Errorf("text %q", text)
	}
}

func TestConcurrentCaptures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	urls := make([]string, 16)
	for i := range urls {
		urls[i] = "https://c.example/" + strconv.Itoa(i)
	}
	ids := e.links(t, urls...)
	errs := make(chan error, len(urls))
	for i, u := range urls {
		go func() {
			_, _, err := e.a.Capture(ctxT(t), ids[u], htmlResponse(u, articlePage("Story "+strconv.Itoa(i), harbourParas[i%5], harbourParas[(i+2)%5], "Story number "+strconv.Itoa(i)+" has its own closing sentence, long enough to count."), t0))
			errs <- err
		}()
	}
	for range urls {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	ps, st := e.verify(t)
	if len(ps) != 0 || st.Snapshots != len(urls) || st.Records != 1+2*len(urls) {
		t.Errorf("after concurrent captures: %v, %+v", ps, st)
	}
}

// gunzipAll decompresses a multi-member gzip stream.
func gunzipAll(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
