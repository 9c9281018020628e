package web

import (
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/archive"
)

// Archived copies are untrusted: whatever form they are served in, they
// come with the sandbox policy, and the only copy that still holds the
// page's script (the raw capture) leaves as a download or into a
// sandboxed frame.

func TestSnapshotViewIsSandboxed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	sn := f.snaps[urlDead][1]
	base := fmt.Sprintf("/snapshot/%d", sn.ID)

	resp, body := f.get(t, base+"/view?link="+urlQueryEscape(urlDead))
	wantStatus(t, resp, body, http.StatusOK)
	wantSandboxed(t, resp)
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(body, "interlocking concrete blocks") || !strings.Contains(body, "version 2") {
		t.Errorf("the readable copy is not the article:\n%.600s", body)
	}
	low := strings.ToLower(body)
	for _, bad := range []string{"<script", "data-pwned", "fetch(", "tracker.example"} {
		if strings.Contains(low, bad) {
			t.Errorf("the readable copy still holds %q", bad)
		}
	}

	// Without the hint, by ID alone.
	resp2, body2 := f.get(t, base+"/view")
	if resp2.StatusCode != http.StatusOK || body2 != body {
		t.Errorf("by ID alone: %d", resp2.StatusCode)
	}
	resp3, body3 := f.get(t, base+"/view?link="+urlQueryEscape(urlAlive)) // a wrong hint
	if resp3.StatusCode != http.StatusOK || body3 != body {
		t.Errorf("with a wrong hint: %d", resp3.StatusCode)
	}

	resp, body = f.get(t, base+"/text")
	wantStatus(t, resp, body, http.StatusOK)
	wantSandboxed(t, resp)
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" || strings.Contains(body, "<") {
		t.Errorf("text: %q\n%.300s", ct, body)
	}

	resp, body = f.get(t, "/snapshot/999999/view")
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = f.get(t, base+"/bogus")
	wantStatus(t, resp, body, http.StatusNotFound)
}

func TestRawCaptureOnlyAsDownloadOrSandboxed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	sn := f.snaps[urlDead][0]
	base := fmt.Sprintf("/snapshot/%d", sn.ID)

	// The raw bytes, script included, only as an attachment.
	resp, body := f.get(t, base+"/raw")
	wantStatus(t, resp, body, http.StatusOK)
	wantSandboxed(t, resp)
	disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "dead.example-20240501100000.html" {
		t.Errorf("Content-Disposition %q (%v)", resp.Header.Get("Content-Disposition"), err)
	}
	if !strings.Contains(body, "data-pwned") {
		t.Errorf("raw is not the captured bytes:\n%.300s", body)
	}

	// The same bytes for a sandboxed frame: inline, but under the
	// sandbox policy, which forbids every script.
	resp, body = f.get(t, base+"/original")
	wantStatus(t, resp, body, http.StatusOK)
	wantSandboxed(t, resp)
	if d := resp.Header.Get("Content-Disposition"); d != "" {
		t.Errorf("original: Content-Disposition %q", d)
	}

	resp, body = f.get(t, base+"/warc")
	wantStatus(t, resp, body, http.StatusOK)
	wantSandboxed(t, resp)
	if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "attachment;") || !strings.Contains(d, ".warc.gz") {
		t.Errorf("warc: Content-Disposition %q", d)
	}

	// The viewer frames copies only with a sandbox that grants nothing.
	resp, body = f.get(t, base+"?show=original")
	wantStatus(t, resp, body, http.StatusOK)
	frames := regexp.MustCompile(`<iframe[^>]*>`).FindAllString(body, -1)
	if len(frames) != 1 {
		t.Fatalf("%d frames in the viewer", len(frames))
	}
	if !regexp.MustCompile(`\ssandbox[\s>]`).MatchString(frames[0]) || strings.Contains(frames[0], "allow-") ||
		!strings.Contains(frames[0], "/original?") {
		t.Errorf("viewer frame: %s", frames[0])
	}
	if strings.Contains(body, "data-pwned") || strings.Contains(body, "interlocking") {
		t.Error("the viewer page itself carries archived content; it must only frame it")
	}
}

// The UI's own pages: a self-only policy with no script, never framed.
func TestUIPagesPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for _, p := range []string{"/", "/links", "/link?url=" + urlQueryEscape(urlDead), "/runs",
		fmt.Sprintf("/snapshot/%d", f.snaps[urlDead][0].ID), "/nowhere"} {
		resp, body := f.get(t, p)
		if resp.StatusCode != http.StatusOK && p != "/nowhere" {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: policy %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: policy %q allows inline code", p, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", p, resp.Header)
		}
		if strings.Contains(strings.ToLower(body), "<script") || strings.Contains(body, " style=") {
			t.Errorf("%s: the page has inline script or style", p)
		}
	}
}

// The report keeps its own script, allowed by hash, under a header policy.
func TestRunReport(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp, body := f.get(t, "/runs/3/report")
	wantStatus(t, resp, body, http.StatusOK)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'none';") || !strings.Contains(csp, "script-src 'sha256-") ||
		!strings.HasSuffix(csp, "frame-ancestors 'none'") || strings.Contains(csp, "script-src 'unsafe-inline'") {
		t.Errorf("report policy %q", csp)
	}
	if !strings.Contains(body, urlDead) || !strings.Contains(body, "notes/reading.md") {
		t.Errorf("report does not list the dead link and its document:\n%.500s", body)
	}
	// Served by the UI, the report leads back to it, and breaks URLs,
	// never words, where a line is too long.
	if !strings.Contains(body, `<body>
<nav class="ui-nav" aria-label="linkrot"><ul><li><a href="/">`) || !strings.Contains(body, `<a href="/runs">All runs</a>`) {
		t.Errorf("the report has no way back to the UI:\n%.900s", body)
	}
	if strings.Contains(body, "break-all") || !strings.Contains(body, "td.url, td.places { overflow-wrap: anywhere; }") {
		t.Error("the report's style still breaks words mid-word")
	}
	resp, body = f.get(t, "/runs/3/report?format=json")
	wantStatus(t, resp, body, http.StatusOK)
	if !strings.Contains(body, `"schema"`) {
		t.Errorf("json report: %.200s", body)
	}
	resp, body = f.get(t, "/runs/99/report")
	wantStatus(t, resp, body, http.StatusNotFound)
	resp, body = f.get(t, "/runs/3/report?format=pdf")
	wantStatus(t, resp, body, http.StatusBadRequest)
}

// A copy with no readable form (a PDF) is a download wherever it is
// asked for: as a memento, and as the "original" a frame would show.
func TestNonHTMLCopy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := t.Context()
	l, err := f.st.LinkByURL(ctx, urlNew)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 6, 2, 8, 0, 0, 0, time.UTC)
	_, sn, err := f.arc.Capture(ctx, l.ID, archive.Response{URL: urlNew, Status: 200,
		Header: http.Header{"Content-Type": {"application/pdf"}}, Body: []byte("%PDF-1.4\n% not really\n"), FetchedAt: at})
	if err != nil || sn.ID == 0 {
		t.Fatalf("capture: %v", err)
	}
	for _, p := range []string{"/web/20240602080000/" + urlNew, fmt.Sprintf("/snapshot/%d/original", sn.ID)} {
		resp, body := f.get(t, p)
		wantStatus(t, resp, body, http.StatusOK)
		wantSandboxed(t, resp)
		if d := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(d, "attachment;") || !strings.Contains(d, ".pdf") {
			t.Errorf("%s: Content-Disposition %q", p, d)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/pdf" || body != "%PDF-1.4\n% not really\n" {
			t.Errorf("%s: %q, %q", p, ct, body)
		}
	}
	resp, body := f.get(t, fmt.Sprintf("/snapshot/%d", sn.ID))
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "<iframe") || !strings.Contains(body, "Download raw") {
		t.Error("the viewer frames a PDF or offers no download")
	}
	resp, body = f.get(t, fmt.Sprintf("/snapshot/%d/view", sn.ID))
	wantStatus(t, resp, body, http.StatusNotFound)
}

// TestSnapshotBannerOnce: the viewer page and the copy framed in it say
// "archived copy" once between them, whichever form is shown.
func TestSnapshotBannerOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	sn := f.snaps[urlDead][1]
	frameSrc := regexp.MustCompile(`<iframe class="snapshot" sandbox src="([^"]+)"`)
	banners := func(s string) int {
		return strings.Count(s, `class="archived-note"`) + strings.Count(s, `class="lr-banner"`)
	}
	for _, show := range []string{"", "&show=original"} {
		resp, body := f.get(t, fmt.Sprintf("/snapshot/%d?link=%s%s", sn.ID, urlQueryEscape(urlDead), show))
		wantStatus(t, resp, body, http.StatusOK)
		m := frameSrc.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%q: no frame", show)
		}
		_, framed := f.get(t, strings.ReplaceAll(m[1], "&amp;", "&"))
		if n := banners(body) + banners(framed); n != 1 {
			t.Errorf("%q: %d banners between the page and its frame, want 1", show, n)
		}
	}
}
