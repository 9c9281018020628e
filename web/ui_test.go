package web

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/job"
)

// linkRows returns the URLs of the links table's rows, in order.
func linkRows(body string) []string {
	tbody := body
	if i := strings.Index(body, `id="links"`); i >= 0 {
		tbody = body[i:]
	} else {
		return nil
	}
	var out []string
	for _, m := range regexp.MustCompile(`<td class="url"><a href="[^"]*">([^<]*)</a>`).FindAllStringSubmatch(tbody, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func TestLinksFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for name, c := range map[string]struct {
		query string
		want  []string
	}{
		"state":         {"?state=dead", []string{urlDead, urlGone}},
		"state suspect": {"?state=suspect", []string{urlSuspect}},
		"host":          {"?host=ALIVE.example", []string{urlAlive}},
		"document":      {"?doc=notes/reading.md&state=alive", []string{urlAlive}},
		"text":          {"?q=HARBOUR", []string{urlDead}},
		// What needs attention comes first: dead (oldest failure, then URL),
		// suspect, …, alive, unchecked.
		"text and doc":  {"?q=example&doc=notes/reading.md", []string{urlDead, urlGone, urlSuspect, urlAlive, urlNew}},
		"by url":        {"?q=example&doc=notes/reading.md&sort=url", []string{urlAlive, urlDead, urlSuspect, urlGone, urlNew}},
		"no match":      {"?q=nothing-like-this", nil},
		"unknown state": {"?state=zombie", nil},
	} {
		resp, body := f.get(t, "/links"+c.query)
		wantStatus(t, resp, body, http.StatusOK)
		got := linkRows(body)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s (%s): rows %q, want %q", name, c.query, got, c.want)
		}
	}
	// The filters come back in the form.
	_, body := f.get(t, "/links?state=dead&host=gone.example&q=%3Cb%3E")
	if !strings.Contains(body, `<option value="dead" selected>`) || !strings.Contains(body, `value="gone.example"`) ||
		!strings.Contains(body, `value="&lt;b&gt;"`) {
		t.Error("filters are not kept (or not escaped) in the form")
	}
}

// TestLinksColumns checks the columns that say what is wrong and whether
// a copy exists: reason and since for the failing, copy local / none.
func TestLinksColumns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	_, body := f.get(t, "/links?doc=notes/reading.md")
	row := func(u string) string {
		t.Helper()
		i := strings.Index(body, ">"+html.EscapeString(u)+"</a>")
		if i < 0 {
			t.Fatalf("no row for %s", u)
		}
		end := strings.Index(body[i:], "</tr>")
		return body[i : i+end]
	}
	dead := row(urlDead)
	for _, want := range []string{`<td class="reason">http_4xx 404</td>`, `datetime="2024-06-03T03:00:01Z"`, `<td class="copy copy-local">local</td>`} {
		if !strings.Contains(dead, want) {
			t.Errorf("dead row lacks %s:\n%s", want, dead)
		}
	}
	if gone := row(urlGone); !strings.Contains(gone, `copy-none">none<`) || !strings.Contains(gone, "dns_nxdomain") {
		t.Errorf("gone row: %s", gone)
	}
	if alive := row(urlAlive); !strings.Contains(alive, `<td class="reason"><span class="muted">—</span>`) {
		t.Errorf("an alive link shows a reason: %s", alive)
	}
}

func TestLinksPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	var all []string
	next := "/links?host=bulk.example"
	for page := 1; next != ""; page++ {
		resp, body := f.get(t, html.UnescapeString(next))
		wantStatus(t, resp, body, http.StatusOK)
		rows := linkRows(body)
		want := min(pageSize, bulkLinks-len(all))
		if len(rows) != want {
			t.Fatalf("page %d: %d rows, want %d", page, len(rows), want)
		}
		if page > 1 && !strings.Contains(body, `rel="prev"`) {
			t.Errorf("page %d has no link back", page)
		}
		all = append(all, rows...)
		m := regexp.MustCompile(`<a rel="next" href="([^"]+)">`).FindStringSubmatch(body)
		next = ""
		if m != nil {
			next = m[1]
			if !strings.Contains(next, "host=bulk.example") {
				t.Errorf("next page loses the filter: %s", next)
			}
		}
		if page > 5 {
			t.Fatal("too many pages")
		}
	}
	if len(all) != bulkLinks || all[0] != "https://bulk.example/p/000" || all[bulkLinks-1] != "https://bulk.example/p/119" {
		t.Errorf("%d links over the pages, %s … %s", len(all), all[0], all[len(all)-1])
	}
	seen := map[string]bool{}
	for _, u := range all {
		if seen[u] {
			t.Errorf("%s on two pages", u)
		}
		seen[u] = true
	}
	// A page size of its own, and past the end.
	_, body := f.get(t, "/links?host=bulk.example&n=7&page=3")
	if rows := linkRows(body); len(rows) != 7 || rows[0] != "https://bulk.example/p/014" {
		t.Errorf("n=7 page 3: %q", rows)
	}
	_, body = f.get(t, "/links?host=bulk.example&page=9")
	if rows := linkRows(body); len(rows) != 0 || strings.Contains(body, `rel="next"`) {
		t.Errorf("past the end: %q", rows)
	}
}

func TestLinkPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp, body := f.get(t, "/link?url="+urlQueryEscape(urlDead))
	wantStatus(t, resp, body, http.StatusOK)
	for _, want := range []string{
		`id="link-state">dead<`,
		"notes/reading.md", "harbour-st\nory", "joined line wrap", "confidence 85%",
		"https://dead.example/2014/09/29/harbour-st<", `joining completes the title word &#34;story&#34;`,
		"http_4xx", "test evidence for http_4xx",
		"2024-05-01 10:00 UTC", "2024-05-15 10:00 UTC", "2024-06-01 10:00 UTC",
		fmt.Sprintf("/snapshot/%d?link=", f.snaps[urlDead][0].ID),
		"/web/20240601100000/https://dead.example/2014/09/29/harbour-story",
		"/timemap/link/https://dead.example/2014/09/29/harbour-story",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the link page lacks %q", want)
		}
	}
	resp, body = f.get(t, "/link?url="+urlQueryEscape("https://unknown.example/"))
	wantStatus(t, resp, body, http.StatusNotFound)
}

func TestGo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for name, c := range map[string]struct {
		url      string
		status   int
		location string
	}{
		"alive":          {urlAlive, http.StatusFound, urlAlive},
		"suspect":        {urlSuspect, http.StatusFound, urlSuspect},
		"unchecked":      {urlNew, http.StatusFound, urlNew},
		"dead with copy": {urlDead, http.StatusFound, "/web/20240601100000/" + urlDead},
		"dead, no copy":  {urlGone, http.StatusNotFound, ""},
		"unknown":        {"https://evil.example/phish", http.StatusNotFound, ""},
	} {
		resp, body := f.get(t, "/go?url="+urlQueryEscape(c.url))
		if resp.StatusCode != c.status || resp.Header.Get("Location") != c.location {
			t.Errorf("%s: %d → %q, want %d → %q", name, resp.StatusCode, resp.Header.Get("Location"), c.status, c.location)
		}
		if name == "dead, no copy" && (!strings.Contains(body, "This link is dead") || !strings.Contains(body, "web.archive.org")) {
			t.Errorf("no suggestions for a dead link without a copy:\n%.400s", body)
		}
		if name == "unknown" && strings.Contains(body, `href="https://evil.example`) == false {
			// Shown as a link the reader may follow, never redirected to.
			t.Errorf("unknown URL page: %.300s", body)
		}
	}
	// The local copy it sends to is served.
	resp, body := f.get(t, "/web/20240601100000/"+urlDead)
	wantStatus(t, resp, body, http.StatusOK)
}

func TestDashboard(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp, body := f.get(t, "/")
	wantStatus(t, resp, body, http.StatusOK)
	for _, want := range []string{
		`<span class="n">2</span> <span class="what">dead</span>`,
		`<span class="n">121</span> <span class="what">unchecked</span>`,
		"125 links in all", "Next run", "Last run 3", `id="run-now"`,
		"<svg", `class="series series-dead"`, "<polyline points=", "run 3, 2024-06-09 03:00 UTC: 2 dead",
		`href="/runs/3/report"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	// The plot follows the runs: dead is 0, 0, 2, then "now", which is
	// the card's count (2): the card and the chart agree.
	pts := regexp.MustCompile(`class="series series-dead">\s*<polyline points="([^"]+)"`).FindStringSubmatch(body)
	if pts == nil || len(strings.Fields(pts[1])) != 4 {
		t.Fatalf("dead series: %v", pts)
	}
	ys := strings.Fields(pts[1])
	if !strings.HasSuffix(ys[0], ",186.0") || strings.HasSuffix(ys[2], ",186.0") {
		t.Errorf("dead series points %v: want the first at the baseline and the last above it", ys)
	}
	if y := func(p string) string { return p[strings.Index(p, ","):] }; y(ys[3]) != y(ys[2]) {
		t.Errorf("the now point %s differs from the last run's %s", ys[3], ys[2])
	}
	for _, want := range []string{"now, as counted above: 2 dead", ">now</text>", ">Jun 3</text>", "Links by state now"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp, body := f.get(t, "/healthz")
	wantStatus(t, resp, body, http.StatusOK)
	if body != "ok\n" {
		t.Errorf("body %q", body)
	}
	f.st.Close()
	resp, body = f.get(t, "/healthz")
	wantStatus(t, resp, body, http.StatusServiceUnavailable)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.srv.ObserveRun(job.Summary{RunID: 3, Status: "ok", Checked: 4}, 42*time.Second)
	f.srv.ObserveRun(job.Summary{RunID: 2, Status: "ok", Checked: 4}, 90*time.Second)
	f.srv.ObserveRun(job.Summary{Status: "failed"}, time.Second) // failed before it began: no checks
	resp, body := f.get(t, "/metrics")
	wantStatus(t, resp, body, http.StatusOK)
	for _, want := range []string{
		"# TYPE linkrot_checks_total counter",
		`linkrot_checks_total{class="http_4xx"} 2`,
		`linkrot_checks_total{class="ok"} 2`,
		`linkrot_checks_total{class="timeout"} 2`,
		`linkrot_checks_total{class="soft_404"} 0`,
		"# TYPE linkrot_run_duration_seconds histogram",
		`linkrot_run_duration_seconds_bucket{le="60"} 2`,
		"linkrot_run_duration_seconds_count 3",
		"# TYPE linkrot_links gauge",
		`linkrot_links{state="dead"} 2`,
		`linkrot_links{state="unchecked"} 121`,
		`linkrot_links{state="alive"} 1`,
		`linkrot_runs_total{status="failed"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestPlotEdges(t *testing.T) {
	t.Parallel()
	if c := plotRuns(nil); !c.Empty {
		t.Error("no runs should be an empty plot")
	}
	start := time.Date(2024, 6, 1, 3, 0, 0, 0, time.UTC)
	running := runRow{}
	running.StartedAt = start.Add(time.Hour) // no FinishedAt: still running, not plotted
	one := runRow{Dead: 7, Suspect: 3, PlotDead: 7, PlotSuspect: 3}
	one.ID, one.StartedAt, one.FinishedAt = 1, start, start.Add(time.Minute)
	c := plotRuns([]runRow{running, one})
	if c.Empty || len(c.Series) != 2 || len(c.Series[0].Dots) != 1 || c.Series[0].Dots[0].X != (c.Left+c.Right)/2 {
		t.Errorf("one run: %+v", c)
	}
	if c.YTicks[len(c.YTicks)-1].Label != "10" {
		t.Errorf("axis top %q, want 10 (7 rounded up)", c.YTicks[len(c.YTicks)-1].Label)
	}
	day := time.Date(2026, 12, 2, 9, 5, 0, 0, time.UTC)
	for _, c := range []struct {
		last time.Time
		want string
	}{
		{day.Add(5 * time.Hour), "15:04 UTC"}, {day.Add(20 * time.Hour), "Jan 2 15:04"}, {day.Add(96 * time.Hour), "Jan 2"},
	} {
		if got := axisLayout(day, c.last); got != c.want {
			t.Errorf("axisLayout(%s, %s) = %q, want %q", day, c.last, got, c.want)
		}
	}
	for n, want := range map[int]int{0: 1, 1: 1, 2: 2, 3: 5, 7: 10, 11: 20, 250: 500, 1000: 1000} {
		if got := niceCeil(n); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", n, got, want)
		}
	}
	now := time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-30 * time.Second: "just now", -5 * time.Minute: "5 min ago", -3 * time.Hour: "3 h ago",
		-72 * time.Hour: "3 days ago", 15 * time.Hour: "in 15 h",
	} {
		if got := ago(now.Add(d), now); got != want {
			t.Errorf("ago(%s) = %q, want %q", d, got, want)
		}
	}
	if thousands(1234567) != "1,234,567" || thousands(-1000) != "-1,000" || thousands(999) != "999" {
		t.Error("thousands")
	}
}
