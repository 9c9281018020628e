package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/internal/testkit"
	kit "github.com/linkrot/linkrot/internal/testkit/harness"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/pubarchive"
	"github.com/linkrot/linkrot/reports"
	"github.com/linkrot/linkrot/store"
)

var (
	_ reports.Catalog = (*store.SQLite)(nil)
)

// env is a catalog, a simulated web, a checker and an archiver wired
// together as `linkrot check` wires them, with a short dead_after.
type env struct {
	*kit.Env
	t     *testing.T
	web   *fakeweb.Web
	st    *store.SQLite
	clock *testkit.Clock
	dir   string
	cfg   *config.Config
	chk   *crawler.Checker
	arc   *archive.Archiver
	docs  map[string]string // name → content, to find positions in
}

func newEnv(t *testing.T) *env {
	t.Helper()
	k := kit.New(t)
	cfg := k.Cfg
	// Dead after two failures an hour apart; suspect links are due again
	// after an hour, live ones after a day, dead ones after 30 days.
	cfg.DeadAfter = config.DeadAfter{Failures: 2, MinSpan: config.Duration(time.Hour)}
	cfg.Recheck = config.Recheck{Alive: config.Duration(24 * time.Hour), Suspect: config.Duration(time.Hour),
		Dead: config.Duration(30 * 24 * time.Hour)}
	e := &env{Env: k, t: t, web: k.Web, st: k.St, dir: k.Dir, cfg: cfg, docs: map[string]string{}, clock: k.Clock}
	e.chk = k.Checker(true)
	var err error
	e.arc, err = archive.New(cfg.Archive, filepath.Join(k.Dir, "data"), k.St, archive.Options{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.arc.Close() })
	return e
}

func (e *env) path(name string) string { return e.Path(name) }

// doc writes a document and ingests it.
func (e *env) doc(name, content string) {
	e.t.Helper()
	e.Doc(name, content)
	e.docs[name] = content
}

// at is where url first occurs in document name: the place a report must
// give for it.
func (e *env) at(name, url, role string) reports.Place {
	e.t.Helper()
	content := e.docs[name]
	i := strings.Index(content, url)
	if i < 0 {
		e.t.Fatalf("%s is not in %s", url, name)
	}
	line := strings.Count(content[:i], "\n") + 1
	col := i - strings.LastIndex(content[:i], "\n")
	return reports.Place{Document: e.path(name), Line: line, Column: col, Role: role}
}

// check runs the job as `linkrot check` does and returns its run ID.
func (e *env) check() int64 {
	e.t.Helper()
	excl, err := e.cfg.Exclude.Compile()
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := job.Check(context.Background(), e.st, e.chk, job.Options{
		Policy: crawler.PolicyFrom(e.cfg.Recheck, e.cfg.DeadAfter), Excluder: excl,
		Now: e.clock.Now, Verify: true, Archive: e.arc,
	})
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	return s.RunID
}

func (e *env) report(sel reports.Selection) reports.Report {
	e.t.Helper()
	sel.Now = e.clock.Now
	r, err := reports.Build(context.Background(), e.st, sel)
	if err != nil {
		e.t.Fatalf("Build(%+v): %v", sel, err)
	}
	return r
}

func urls(list []reports.Entry) []string {
	out := []string{}
	for _, en := range list {
		out = append(out, en.URL)
	}
	return out
}

const (
	live   = "https://news.example.com/live"
	doomed = "https://news.example.com/doomed"
	gone   = "https://news.example.com/gone"
	old    = "https://news.example.com/old"
	moved  = "https://news.example.com/new"
	priv   = "https://private.example.org/x"
	blog   = "https://blog.example.net/post"
	split  = "https://www.harbour-news.example/2021/harbour-breakwater-plan"
)

// corpus is a text note, a Markdown guide and an HTML page that use the
// links above, and a note whose URL a line wrap split.
func (e *env) corpus() {
	e.web.Site("news.example.com").
		HTML("/live", "Live story", "<p>The harbour reopened on Monday after the storm.</p>").
		HTML("/doomed", "Harbour story", "<p>The harbour authority began work on the breakwater on Monday, ahead of the winter storms, and expects to finish by spring.</p>").
		Status("/gone", 410).
		Redirect("/old", 301, "/new").
		HTML("/new", "New home", "<p>moved here</p>")
	e.web.Site("private.example.org").Status("/x", 403)
	e.web.Site("blog.example.net").HTML("/post", "Post", "<p>a post</p>")
	e.web.Site("www.harbour-news.example").
		HTML("/2021/harbour-breakwater-plan", "Harbour breakwater plan approved", "<p>story</p>")

	e.doc("notes.txt", "Field notes\n\nThe harbour story is at "+doomed+" and the\n"+
		"old page "+gone+" is cited too.\nIt moved: "+old+"\nMembers only: "+priv+"\nFine: "+live+"\n")
	e.doc("guide.md", "# Guide\n\nSee [the gone page]("+gone+") for details.\n\n- [live]("+live+")\n")
	e.doc("page.html", "<!DOCTYPE html>\n<html><head><title>Links page</title></head><body>\n"+
		"<p>Read <a href=\""+doomed+"\">the harbour story</a>.</p>\n"+
		"<p><a href=\""+blog+"\">blog</a></p>\n</body></html>\n")
	e.doc("repair.txt", "Harbour breakwater plan approved\n\nsee https://www.harbour-news.example/2021/harbour-break-\nwater-plan for the story\n")
}

func TestReportsFollowTheRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.corpus()
	ctx := context.Background()
	reportsDir := filepath.Join(e.dir, "reports")
	writeAll := func(r reports.Report) {
		t.Helper()
		// As the job will after each run: every format into the reports
		// directory.
		paths, err := reports.Write(reportsDir, reports.Formats, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) != 2*len(reports.Formats) {
			t.Errorf("Write wrote %v", paths)
		}
	}
	start := e.clock.Now()

	// Run 1: the 410 is a first failure, not death.
	r1 := e.check()
	rep := e.report(reports.Selection{})
	writeAll(rep)
	if rep.Selection.LastRun != r1 || !rep.Selection.Latest || rep.Summary.Status != "ok" {
		t.Fatalf("run 1 report selection %+v, status %s", rep.Selection, rep.Summary.Status)
	}
	wantLists(t, "run 1", rep, lists{suspect: []string{gone}, moved: []string{old}, blocked: []string{priv}})
	if rep.Moved[0].MovedTo != moved {
		t.Errorf("moved to %q", rep.Moved[0].MovedTo)
	}
	if s := rep.Summary; s.LinksChecked != 7 || s.ByState["alive"] != 4 || s.ByState["suspect"] != 1 ||
		s.ByState["moved"] != 1 || s.ByState["blocked"] != 1 || s.ByClass["ok"] < 4 {
		t.Errorf("run 1 summary: %+v", s)
	}
	// The verified repair is in the report, with its evidence.
	if len(rep.Repaired) != 1 || rep.Repaired[0].URL != split || !rep.Repaired[0].Verified ||
		!strings.Contains(rep.Repaired[0].Raw, "harbour-break-") || len(rep.Repaired[0].Reasons) == 0 {
		t.Errorf("run 1 repairs: %+v", rep.Repaired)
	}
	e.web.Site("news.example.com").Kill("/doomed")

	// Run 2, two hours later: only the suspect link is due; its second
	// failure an hour or more after the first makes it dead.
	e.clock.Advance(2 * time.Hour)
	r2 := e.check()
	rep = e.report(reports.Selection{})
	writeAll(rep)
	wantLists(t, "run 2", rep, lists{newlyDead: []string{gone}, moved: []string{old}, blocked: []string{priv}})
	if rep.Summary.LinksChecked != 1 || rep.Summary.NewlyDead != 1 || rep.Summary.Dead != 1 {
		t.Errorf("run 2 summary: %+v", rep.Summary)
	}
	g := rep.NewlyDead[0]
	if g.State != "dead" || g.StateBefore != "suspect" || g.Class != "http_4xx" || g.Status != 410 || g.Failures != 2 ||
		g.FirstFailure == nil || !g.FirstFailure.Equal(start) || g.Snapshot != nil {
		t.Errorf("newly dead entry: %+v", g)
	}
	wantPlaces(t, g, e.at("guide.md", gone, "cited"), e.at("notes.txt", gone, "cited"))
	if len(rep.Repaired) != 0 {
		t.Errorf("run 2 checked no repaired URL, but reports %+v", rep.Repaired)
	}

	// The job asks the public archives about newly dead links.
	arch := e.web.Archive("archive.test")
	arch.Add(gone, time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), 200, "<html><body><p>as cited</p></body></html>")
	remote := pubarchive.NewRemote(config.External{Wayback: config.Wayback{Enabled: true,
		AvailabilityURL: "https://archive.test/wayback/available", CDXURL: "https://archive.test/cdx/search/cdx"}},
		e.web.Client(), pubarchive.RemoteOptions{Timeout: 10 * time.Second})
	// The application layer asks and caches; the report only reads the cache.
	lookUp := func(entries []reports.Entry) {
		t.Helper()
		for _, en := range entries {
			if _, ok, err := e.st.LookupOf(ctx, en.URL); err != nil || ok {
				continue
			}
			c, err := remote.Find(ctx, en.URL, en.FirstSeen)
			l := store.Lookup{URL: en.URL, AskedAt: e.clock.Now(), Found: err == nil, CopyURL: c.URL, CopyTime: c.Time, Source: c.Source}
			if err != nil && !errors.Is(err, pubarchive.ErrNoRemoteCopy) {
				t.Fatal(err)
			}
			if err := e.st.RecordLookup(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
	}
	lookUp(rep.NewlyDead)
	rep = e.report(reports.Selection{RunID: rep.Selection.LastRun})
	ac := rep.NewlyDead[0].ArchiveCopy
	if ac == nil || !strings.Contains(ac.URL, "archive.test") || !ac.Time.Equal(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)) || ac.Source != "wayback" {
		t.Fatalf("archive copy of the newly dead link: %+v", ac)
	}
	writeAll(rep)

	// Run 3, a day later: the live links are due; the killed one fails
	// once. The dead one is not due, and is still dead.
	e.clock.Advance(25 * time.Hour)
	r3 := e.check()
	rep = e.report(reports.Selection{})
	wantLists(t, "run 3", rep, lists{stillDead: []string{gone}, moved: []string{old}, suspect: []string{doomed}, blocked: []string{priv}})
	if sd := rep.StillDead[0]; sd.StateBefore != "" || sd.ArchiveCopy == nil || sd.ArchiveCopy.URL != ac.URL {
		t.Errorf("still dead, not checked in run 3: %+v", sd)
	}
	if sp := rep.Suspect[0]; sp.Failures != 1 || sp.Snapshot == nil || sp.Snapshot.RestoreCommand != "linkrot restore "+doomed {
		t.Errorf("suspect entry: %+v", sp)
	}

	// Run 4: the killed link dies, and has a local copy to restore.
	e.clock.Advance(2 * time.Hour)
	r4 := e.check()
	rep = e.report(reports.Selection{})
	writeAll(rep)
	wantLists(t, "run 4", rep, lists{newlyDead: []string{doomed}, stillDead: []string{gone}, moved: []string{old}, blocked: []string{priv}})
	d := rep.NewlyDead[0]
	wantPlaces(t, d, e.at("notes.txt", doomed, "cited"), e.at("page.html", doomed, "cited"))
	if d.Snapshot == nil || d.Snapshot.RestoreCommand != "linkrot restore "+doomed || d.Snapshot.Title != "Harbour story" {
		t.Errorf("newly dead with a snapshot: %+v", d.Snapshot)
	}
	// No copy in the public archive: asked once, recorded, not asked again.
	before := len(e.web.Requests())
	lookUp(rep.NewlyDead)
	rep = e.report(reports.Selection{})
	if rep.NewlyDead[0].ArchiveCopy != nil {
		t.Errorf("archive copy of a page the archive never saw: %+v", rep.NewlyDead[0].ArchiveCopy)
	}
	asked := len(e.web.Requests())
	if asked == before {
		t.Error("the public archive was not asked about the newly dead link")
	}
	lookUp(rep.NewlyDead)
	if n := len(e.web.Requests()); n != asked {
		t.Errorf("the archive was asked again about links it answered for: %d requests", n-asked)
	}
	// Hosts: news.example.com has both dead links.
	if len(rep.Hosts) == 0 || rep.Hosts[0].Host != "news.example.com" || rep.Hosts[0].Dead != 2 || rep.Hosts[0].Failed != 1 {
		t.Errorf("hosts: %+v", rep.Hosts)
	}
	// By document: notes.txt lists both dead links and the moved one, by line.
	var notes *reports.DocumentGroup
	for i := range rep.Documents {
		if rep.Documents[i].Path == e.path("notes.txt") {
			notes = &rep.Documents[i]
		}
	}
	if notes == nil || len(notes.Links) != 3 || notes.Links[0].URL != doomed || !notes.Links[0].NewlyDead ||
		notes.Links[1].URL != gone || notes.Links[1].NewlyDead || notes.Links[2].MovedTo != moved {
		t.Errorf("notes.txt group: %+v", notes)
	}

	// Run 5, a month later: everything is due; the revived link recovers,
	// the 410 is still dead.
	e.web.Site("news.example.com").Revive("/doomed")
	e.clock.Advance(31 * 24 * time.Hour)
	r5 := e.check()
	rep = e.report(reports.Selection{})
	writeAll(rep)
	wantLists(t, "run 5", rep, lists{stillDead: []string{gone}, recovered: []string{doomed}, moved: []string{old}, blocked: []string{priv}})
	if rc := rep.Recovered[0]; rc.State != "alive" || rc.StateBefore != "dead" {
		t.Errorf("recovered entry: %+v", rc)
	}
	if sd := rep.StillDead[0]; sd.StateBefore != "dead" {
		t.Errorf("still dead, checked again: %+v", sd)
	}

	// Older runs, asked for later, are reported as they were.
	old2 := e.report(reports.Selection{RunID: r2})
	wantLists(t, "run 2 after run 5", old2, lists{newlyDead: []string{gone}, moved: []string{old}, blocked: []string{priv}})
	if old2.Selection.Latest {
		t.Error("run 2 reported as the latest")
	}
	old3 := e.report(reports.Selection{RunID: r3})
	wantLists(t, "run 3 after run 5", old3, lists{stillDead: []string{gone}, moved: []string{old}, suspect: []string{doomed}, blocked: []string{priv}})
	old4 := e.report(reports.Selection{RunID: r4})
	wantLists(t, "run 4 after run 5", old4, lists{newlyDead: []string{doomed}, stillDead: []string{gone}, moved: []string{old}, blocked: []string{priv}})

	// A period: the runs from run 2 on. Net, /gone died in it and
	// /doomed died and came back.
	period := e.report(reports.Selection{Since: start.Add(time.Hour)})
	if period.Selection.FirstRun != r2 || period.Selection.LastRun != r5 || len(period.Summary.Runs) != 4 {
		t.Errorf("period selection %+v, %d runs", period.Selection, len(period.Summary.Runs))
	}
	wantLists(t, "since run 2", period, lists{newlyDead: []string{gone}, moved: []string{old}, blocked: []string{priv}})

	// The stored reports: the latest files are run 5's, and the dated
	// ones of every run written are kept.
	latest, err := os.ReadFile(filepath.Join(reportsDir, "latest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stored struct {
		Selection struct {
			LastRun int64 `json:"last_run"`
		} `json:"selection"`
	}
	if err := json.Unmarshal(latest, &stored); err != nil || stored.Selection.LastRun != r5 {
		t.Errorf("latest.json is of run %d (%v), want %d", stored.Selection.LastRun, err, r5)
	}
	for _, run := range []int64{r1, r2, r4, r5} {
		m, _ := filepath.Glob(filepath.Join(reportsDir, fmt.Sprintf("report-%d-*.html", run)))
		if len(m) == 0 {
			t.Errorf("no stored HTML report of run %d", run)
		}
	}
	validateJSON(t, latest)

	// The CSV of run 4 has one row per place of each dead link.
	var buf bytes.Buffer
	if err := reports.Render(&buf, "csv", old4); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rows[1:] {
		got = append(got, fmt.Sprintf("%s %s %s:%s", row[0], row[1], filepath.Base(row[4]), row[5]))
	}
	want := []string{
		fmt.Sprintf("%s dead notes.txt:%d", doomed, e.at("notes.txt", doomed, "").Line),
		fmt.Sprintf("%s dead page.html:%d", doomed, e.at("page.html", doomed, "").Line),
		fmt.Sprintf("%s dead guide.md:%d", gone, e.at("guide.md", gone, "").Line),
		fmt.Sprintf("%s dead notes.txt:%d", gone, e.at("notes.txt", gone, "").Line),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CSV rows:\n%q\nwant\n%q", got, want)
	}
}

// lists are the URLs a report should list, by section.
type lists struct {
	newlyDead, stillDead, recovered, moved, suspect, blocked []string
}

func wantLists(t *testing.T, what string, r reports.Report, want lists) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"newly dead", urls(r.NewlyDead), want.newlyDead},
		{"still dead", urls(r.StillDead), want.stillDead},
		{"recovered", urls(r.Recovered), want.recovered},
		{"moved", urls(r.Moved), want.moved},
		{"suspect", urls(r.Suspect), want.suspect},
		{"blocked", urls(r.Blocked), want.blocked},
	} {
		if c.want == nil {
			c.want = []string{}
		}
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: %s = %q, want %q", what, c.name, c.got, c.want)
		}
	}
}

// wantPlaces compares an entry's places with want, by document, line,
// column and role.
func wantPlaces(t *testing.T, e reports.Entry, want ...reports.Place) {
	t.Helper()
	var got []reports.Place
	for _, p := range e.Occurrences {
		got = append(got, reports.Place{Document: p.Document, Line: p.Line, Column: p.Column, Role: p.Role})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("places of %s:\n got %+v\nwant %+v", e.URL, got, want)
	}
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := reports.Build(ctx, e.st, reports.Selection{}); !errors.Is(err, reports.ErrNoRuns) {
		t.Errorf("latest with no run: %v, want ErrNoRuns", err)
	}
	if _, err := reports.Build(ctx, e.st, reports.Selection{RunID: 7}); !errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), "run 7") {
		t.Errorf("unknown run: %v", err)
	}
	if _, err := reports.Build(ctx, e.st, reports.Selection{RunID: 1, Since: time.Now()}); err == nil {
		t.Error("a run and a period at once were accepted")
	}
	// A period with no run is a report of the links as they are.
	r, err := reports.Build(ctx, e.st, reports.Selection{Since: time.Now()})
	if err != nil || r.Summary.Status != "none" || r.Selection.LastRun != 0 || len(r.NewlyDead) != 0 {
		t.Errorf("empty period: %+v, %v", r, err)
	}
}
