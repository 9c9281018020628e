package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// TestLinkChangesPage: verdicts recorded for the dead link's checks (whose
// three copies differ in one phrase) give the changes page its chart and
// its side-by-side diff, the link page links to it, and /metrics counts
// the changed links.
func TestLinkChangesPage(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	ref := f.snaps[urlDead][0]
	f.capture(t, urlDead, time.Date(2024, 6, 5, 10, 0, 0, 0, time.UTC), "a plan the council later abandoned")
	for i, sim := range []float64{0.98, 0.81, 0.42} {
		at := snapTimes[0].Add(time.Duration(i+1) * 24 * time.Hour)
		id, err := f.st.RecordCheck(ctx, store.CheckRecord{URL: urlDead, CheckedAt: at, Class: "ok", Status: 200}, nil, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.RecordDrift(ctx, store.Drift{CheckID: id, Comparable: true, Similarity: sim, Drifted: sim < 0.7, ReferenceSnapshotID: ref.ID}); err != nil {
			t.Fatal(err)
		}
	}
	resp, body := f.get(t, "/link/changes?url="+url.QueryEscape(urlDead))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %.300s", resp.StatusCode, body)
	}
	for _, want := range []string{"<strong>Drifted</strong>: the page says 42% of the cited copy", "<polyline points=", "similarity 0.42, drifted",
		"Similarity to the cited copy at each of 3 checks", `id="diff"`, "<del>", "<ins>", `class="diff-same"`} {
		if !strings.Contains(body, want) {
			t.Errorf("changes page lacks %q", want)
		}
	}
	// The copies differ only in their variant phrase: that line is the
	// changed one, struck on the left and new on the right.
	if !strings.Contains(body, "<del>") || strings.Count(body, `class="diff-changed"`) != 1 {
		t.Errorf("want exactly one changed row:\n%s", body)
	}
	if strings.Contains(body, "data-pwned") {
		t.Error("the page carries the copy's script")
	}

	// html/template escapes the query in lower-case hex.
	_, linkPage := f.get(t, "/link?url="+url.QueryEscape(urlDead))
	if !strings.Contains(strings.ToLower(linkPage), strings.ToLower(`href="/link/changes?url=`+url.QueryEscape(urlDead)+`"`)) {
		t.Errorf("the link page does not link to its changes page:\n%s", grepLines(linkPage, "changes"))
	}
	resp, body = f.get(t, "/link/changes?url="+url.QueryEscape(urlNew))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "No check has judged this page") {
		t.Errorf("unjudged link: %d %.300s", resp.StatusCode, body)
	}
	resp, _ = f.get(t, "/link/changes?url="+url.QueryEscape("https://unknown.example/"))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown link: %d", resp.StatusCode)
	}
	// The latest run's report lists it, quoting the line the page lost.
	resp, body = f.get(t, "/runs/3/report")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Changed since cited (1)") || !strings.Contains(body, "(version 1)") {
		t.Errorf("run report: %d, %s", resp.StatusCode, grepLines(body, "Changed since cited"))
	}
	_, metrics := f.get(t, "/metrics")
	if !strings.Contains(metrics, `linkrot_links_changed{verdict="drifted"} 1`) || !strings.Contains(metrics, `linkrot_links_changed{verdict="replaced"} 0`) {
		t.Errorf("metrics lack the changed links:\n%s", grepLines(metrics, "linkrot_links_changed"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
