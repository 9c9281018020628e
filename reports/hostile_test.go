package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/pubarchive"
	"github.com/linkrot/linkrot/reports"
	"github.com/linkrot/linkrot/store"
)

// Hostile answers a public archive may give for a copy's URL.
const (
	formula = `=cmd|' /C calc'!A0`
	script  = `javascript:alert(1)`
)

// hostileArchive serves, on loopback, a Wayback availability API that
// answers formula for every URL and a Memento TimeGate whose memento
// (Location) is script.
func hostileArchive(e *env) {
	e.web.Site("hostile-archive.test").
		Page("/wayback/available", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(rw, `{"url":%q,"archived_snapshots":{"closest":{"available":true,"status":"200","timestamp":"20200601120000","url":%q}}}`,
				r.URL.Query().Get("url"), formula)
		})).
		Fallback(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			orig := strings.TrimPrefix(r.URL.Path, "/timegate/")
			rw.Header().Set("Vary", "accept-datetime")
			rw.Header().Set("Link", fmt.Sprintf(`<%s>; rel="original", <%s>; rel="memento"; datetime="Mon, 01 Jun 2020 12:00:00 GMT"`, orig, script))
			rw.Header().Set("Location", script)
			rw.WriteHeader(http.StatusFound)
		}))
}

// checkOutputs renders r in every format and fails when a hostile URL
// reaches any of them, or a format's invariant breaks.
func checkOutputs(t *testing.T, r reports.Report) {
	t.Helper()
	for _, f := range reports.Formats {
		var buf bytes.Buffer
		if err := reports.Render(&buf, f, r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out := buf.String()
		for _, bad := range []string{"calc'!A0", "calc&#39;!A0", "javascript:", "alert(1)"} {
			if strings.Contains(out, bad) {
				t.Errorf("the %s report holds %q:\n%s", f, bad, out)
			}
		}
		if err := invariant(f, out); err != nil {
			t.Errorf("%s report: %v", f, err)
		}
	}
}

// TestHostileArchiveAnswersNeverReachReports: a public archive that
// answers a spreadsheet formula (Wayback) or a javascript: URL (Memento
// Location) yields no copy (job's lookups record it as none), and a catalog that already
// holds such copies (written by an older linkrot) still yields reports
// without them.
func TestHostileArchiveAnswersNeverReachReports(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	gone1, gone2 := "https://news.example.com/gone1", "https://news.example.com/gone2"
	e.web.Site("news.example.com").Status("/gone1", 410).Status("/gone2", 404)
	e.doc("notes.txt", "Two dead links: "+gone1+" and\n"+gone2+"\n")
	hostileArchive(e)
	e.check()
	e.clock.Advance(2 * time.Hour)
	e.check()
	rep := e.report(reports.Selection{})
	if len(rep.NewlyDead) != 2 {
		t.Fatalf("newly dead: %v", urls(rep.NewlyDead))
	}

	for _, cfg := range []config.External{
		{Wayback: config.Wayback{Enabled: true, AvailabilityURL: "https://hostile-archive.test/wayback/available"}},
		{Memento: config.Memento{Enabled: true, Timegates: []string{"https://hostile-archive.test/timegate/"}}},
	} {
		remote := pubarchive.NewRemote(cfg, e.web.Client(), pubarchive.RemoteOptions{Timeout: 10 * time.Second})
		for _, u := range []string{gone1, gone2} {
			c, err := remote.Find(ctx, u, time.Time{})
			if err == nil && safeurl.Check(c.URL) != nil {
				t.Errorf("Find(%s) passed on %q", u, c.URL)
			}
		}
	}

	// A catalog that holds hostile copies already.
	for u, c := range map[string]string{gone1: formula, gone2: script} {
		err := e.st.SetArchiveCopy(ctx, u, store.ArchiveCopy{URL: c, Time: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC),
			Source: "wayback", CheckedAt: e.clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}
	rep = e.report(reports.Selection{})
	held := 0
	for _, en := range rep.NewlyDead {
		if en.ArchiveCopy != nil {
			held++
		}
	}
	if held != 2 {
		t.Fatalf("the catalog's hostile copies did not reach Build (%d of 2), so the writers are not tested", held)
	}
	checkOutputs(t, rep)
}

// invariant checks what must hold of every report in format f, whatever
// went into it.
func invariant(f, out string) error {
	switch f {
	case "csv":
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			return fmt.Errorf("does not parse: %v", err)
		}
		for i, row := range rows {
			if i > 0 && row[11] != "" && safeurl.Check(row[11]) != nil {
				return fmt.Errorf("archive_url %q", row[11])
			}
			for _, c := range row {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					return fmt.Errorf("cell %q starts a formula", c)
				}
			}
		}
	case "json":
		var v reports.Report
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			return fmt.Errorf("does not parse: %v", err)
		}
		for _, list := range [][]reports.Entry{v.NewlyDead, v.StillDead, v.Recovered, v.Moved, v.Suspect, v.Blocked} {
			for _, e := range list {
				foreign := []string{e.MovedTo, e.FinalURL}
				if e.ArchiveCopy != nil {
					foreign = append(foreign, e.ArchiveCopy.URL)
				}
				if e.Snapshot != nil {
					foreign = append(foreign, e.Snapshot.URL)
				}
				for _, u := range foreign {
					if u != "" && safeurl.Check(u) != nil {
						return fmt.Errorf("foreign URL %q", u)
					}
				}
			}
		}
	case "html":
		doc, err := html.Parse(strings.NewReader(out))
		if err != nil {
			return fmt.Errorf("does not parse: %v", err)
		}
		var bad error
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			for _, a := range n.Attr {
				if (a.Key == "href" || a.Key == "src" || a.Key == "action") && !strings.HasPrefix(a.Val, "#") && safeurl.Check(a.Val) != nil {
					bad = fmt.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		return bad
	case "md":
		for _, d := range mdLinkTargets(out) {
			if safeurl.Check(d) != nil {
				return fmt.Errorf("link target %q", d)
			}
		}
	}
	return nil
}

// mdLinkTargets finds the destinations of the links and autolinks in
// Markdown the way CommonMark reads them, for what the report writer
// produces: backslash escapes and code spans hide markup; "](" followed
// by "<dest>" or "dest)" is an inline link; "<scheme:…>" an autolink.
// "<br>" is the only raw HTML the writer uses.
func mdLinkTargets(md string) []string {
	var out []string
	for i := 0; i < len(md); i++ {
		switch c := md[i]; {
		case c == '\\':
			i++
		case c == '`':
			n := 0
			for i+n < len(md) && md[i+n] == '`' {
				n++
			}
			fence := strings.Repeat("`", n)
			rest := md[i+n:]
			j := strings.Index(rest, fence)
			for j >= 0 && j+n < len(rest) && rest[j+n] == '`' {
				k := strings.Index(rest[j+n+1:], fence)
				if k < 0 {
					j = -1
					break
				}
				j += n + 1 + k
			}
			if j < 0 {
				i += n - 1
				continue
			}
			i += n + j + n - 1
		case c == ']' && strings.HasPrefix(md[i:], "]("):
			rest := md[i+2:]
			var dest string
			if strings.HasPrefix(rest, "<") {
				dest, _, _ = strings.Cut(rest[1:], ">")
			} else {
				dest, _, _ = strings.Cut(rest, ")")
			}
			out = append(out, dest)
		case c == '<':
			if strings.HasPrefix(md[i:], "<br>") {
				continue
			}
			end := strings.IndexByte(md[i:], '>')
			if end < 0 {
				out = append(out, md[i:]) // an unclosed '<' is a failure too
				continue
			}
			out = append(out, md[i+1:i+end])
			i += end
		}
	}
	return out
}
