package drift_test

import (
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/drift"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/store"
)

// article is a page of the fake site: what an HTML page of a news site
// carries around its text.
type article struct {
	title, byline string
	paras         []string
	related       []string
	comments      []string
}

func (a article) html() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>` + html.EscapeString(a.title) + ` | Example News</title>
<script>window.analytics = {page: "x"};</script></head><body>
<header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/sport/">Sport</a> <a href="/login">Sign in</a></nav>
<div class="cookie">We use cookies. <button>Accept all</button></div></header>
<main><article><h1>` + html.EscapeString(a.title) + `</h1><p class="byline">` + html.EscapeString(a.byline) + `</p>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>`)
	for _, p := range a.paras {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	b.WriteString(`</article><aside class="related"><h2>Related</h2><ul>`)
	for _, r := range a.related {
		b.WriteString(`<li><a href="/news/x">` + html.EscapeString(r) + `</a></li>`)
	}
	b.WriteString(`</ul></aside>`)
	if len(a.comments) > 0 {
		fmt.Fprintf(&b, `<section class="comments"><h2>Comments (%d)</h2>`, len(a.comments))
		for _, c := range a.comments {
			b.WriteString(`<div class="comment"><p>` + html.EscapeString(c) + `</p></div>`)
		}
		b.WriteString(`</section>`)
	}
	b.WriteString(`</main><footer><p>© 2026 Example News. All rights reserved.</p></footer></body></html>`)
	return b.String()
}

// load reads a corpus text as an article: first paragraph the title,
// second the byline, the rest its paragraphs (furniture lines dropped:
// the HTML carries its own).
func load(t *testing.T, name string) article {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/corpus", name))
	if err != nil {
		t.Fatal(err)
	}
	ps := strings.Split(strings.TrimSpace(string(b)), "\n\n")
	a := article{title: ps[0], byline: ps[1], related: []string{"Library to open on Sundays", "Parking charges rise", "School wins robotics prize"}}
	for _, p := range ps[2:] {
		if len(strings.Fields(p)) >= 15 && !strings.Contains(p, "\n") {
			a.paras = append(a.paras, p)
		}
	}
	return a
}

func serve(page string) fakeweb.Behaviour {
	return fakeweb.Respond(200, "text/html; charset=utf-8", page)
}

// TestSiteBetweenRuns is the whole path this package offers the check
// run: a loopback site whose pages change between two visits in the ways
// drift must tell apart, bodies turned into text by
// archive.ReadableText, verdicts from Judge, stored per check in SQLite
// and listed back as `links --drifted` would.
func TestSiteBetweenRuns(t *testing.T) {
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	news := w.Site("news.example")
	w.Site("old-blog.example")

	type link struct {
		path        string
		host        string
		before      string
		after       fakeweb.Behaviour
		drifted     bool
		replacedWhy drift.Reason
	}
	bridge, cache, policy, release, dough := load(t, "base-bridge.txt"), load(t, "base-cache.txt"),
		load(t, "base-policy.txt"), load(t, "base-release.txt"), load(t, "base-sourdough.txt")

	light := bridge
	light.byline = "By Maren Holt | Updated 9 April 2025 | 3,877 views"
	light.related = []string{"Storm brings down trees", "New cycle lane divides opinion", "Market hall reopens"}
	light.comments = []string{"I walked over this bridge every day for thirty years and I am glad it is being saved rather than replaced.", "Who is paying for the buses while the road is closed on those weekends?"}
	typo := cache
	typo.paras = append([]string{"Update: this page now also covers test caching."}, typo.paras...)
	typo.paras[2] = strings.Replace(typo.paras[2], "unchanged", "unchnaged", 1)
	rewritten := load(t, "rewrite-policy.txt")
	cut := release
	cut.paras = cut.paras[:2]

	links := []link{
		{path: "/news/2024/bridge", before: bridge.html(), after: serve(light.html())},
		{path: "/docs/cache", before: typo.html(), after: serve(cache.html())}, // typo fixed, note removed
		{path: "/policy/retention", before: policy.html(), after: serve(rewritten.html()), drifted: true},
		{path: "/news/2025/release-3-2", before: release.html(), after: serve(cut.html()), drifted: true},
		{path: "/food/sourdough", before: dough.html(), after: fakeweb.Redirect(301, "/"), replacedWhy: drift.ReasonRedirectHome},
		{path: "/news/2024/members", before: dough.html(), after: fakeweb.Redirect(302, "/login?next=/news/2024/members"), replacedWhy: drift.ReasonLoginWall},
		{host: "old-blog.example", path: "/2019/notes", before: cache.html(),
			after:       serve(`<html><head><title>old-blog.example is for sale</title></head><body><h1>old-blog.example</h1><p>This domain may be for sale. Make an offer today.</p><p>Related searches: web hosting, cheap domains</p></body></html>`),
			replacedWhy: drift.ReasonParked},
		{path: "/news/2024/unchanged", before: release.html(), after: serve(release.html())},
	}
	news.Page("/", serve(`<html><head><title>Example News</title></head><body><h1>Example News</h1><ul><li><a href="/news/">Latest headlines from the town and the region, updated all day</a></li></ul><p>Welcome to the front page of Example News, with the stories of the day.</p></body></html>`))
	news.Page("/login", serve(`<html><head><title>Sign in | Example News</title></head><body><form><label>Email</label><input name=e><label>Password</label><input type=password><button>Sign in</button></form></body></html>`))

	ctx := t.Context()
	db, err := store.OpenSQLite(ctx, filepath.Join(t.TempDir(), "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	urlOf := func(l link) string {
		if l.host == "" {
			l.host = "news.example"
		}
		return "https://" + l.host + l.path
	}
	var occs []store.Occurrence
	for i, l := range links {
		occs = append(occs, store.Occurrence{URL: urlOf(l), Raw: urlOf(l), Line: i + 1, Column: 1, Role: store.RoleCited, Confidence: 1})
		w.Site(map[bool]string{true: "news.example", false: l.host}[l.host == ""]).Page(l.path, serve(l.before))
	}
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.SaveDocument(ctx, store.Document{Path: "paper.md", Format: "markdown", Date: "2024-03-05", ScannedAt: t0}, occs); err != nil {
		t.Fatal(err)
	}

	client := w.Client()
	get := func(u string) (archive.PageText, string) {
		t.Helper()
		resp, err := client.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<10))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
		}
		return archive.ReadableText(body, resp.Header.Get("Content-Type"), resp.Request.URL), resp.Request.URL.String()
	}
	check := func(u string, at time.Time) int64 {
		id, err := db.RecordCheck(ctx, store.CheckRecord{URL: u, CheckedAt: at, Class: "ok", Status: 200, Method: "GET"}, nil, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}

	// Visit 1, before the document's date: the reference copies.
	refText := map[int64]string{}
	for _, l := range links {
		u := urlOf(l)
		pt, final := get(u)
		check(u, t0.Add(time.Hour))
		id, err := db.AddSnapshot(ctx, store.Snapshot{LinkURL: u, URL: final, CapturedAt: t0.Add(time.Hour), Status: 200, ContentType: "text/html", Title: pt.Title})
		if err != nil {
			t.Fatal(err)
		}
		refText[id] = pt.Text
	}

	// The pages change; visit 2 judges them.
	for _, l := range links {
		w.Site(map[bool]string{true: "news.example", false: l.host}[l.host == ""]).Page(l.path, l.after)
	}
	cited := drift.CitedAt("2024-03-05", time.Time{})
	for _, l := range links {
		u := urlOf(l)
		var snaps []store.Snapshot
		if err := db.Snapshots(ctx, u, func(s store.Snapshot) error { snaps = append(snaps, s); return nil }); err != nil {
			t.Fatal(err)
		}
		ref, ok := drift.Reference(snaps, func(s store.Snapshot) time.Time { return s.CapturedAt }, cited)
		if !ok {
			t.Fatalf("%s: no reference copy", u)
		}
		pt, final := get(u)
		v := drift.Judge(drift.Page{CitedURL: u, FinalURL: final, Title: pt.Title, Text: pt.Text, RefText: refText[ref.ID]}, drift.Options{})
		id := check(u, t0.Add(48*time.Hour))
		err := db.RecordDrift(ctx, store.Drift{CheckID: id, Comparable: v.Comparable, Similarity: v.Similarity, Drifted: v.Drifted,
			Replaced: v.Replaced, ReplacedReason: string(v.Reason), Evidence: v.Evidence, ReferenceSnapshotID: ref.ID})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-45s similarity %.3f drifted %-5v replaced %q %s", u, v.Similarity, v.Drifted, v.Reason, v.Evidence)
		if v.Drifted != l.drifted || v.Reason != l.replacedWhy {
			t.Errorf("%s: drifted %v replaced %q (%s), similarity %.3f; want drifted %v replaced %q",
				u, v.Drifted, v.Reason, v.Evidence, v.Similarity, l.drifted, l.replacedWhy)
		}
	}

	// What `links --drifted` lists: the flagged links, from the catalog.
	var got, want []string
	if err := db.LatestDrifts(ctx, true, func(d store.Drift) error {
		got = append(got, fmt.Sprintf("%s drifted=%v replaced=%s", d.LinkURL, d.Drifted, d.ReplacedReason))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if l.drifted || l.replacedWhy != "" {
			want = append(want, fmt.Sprintf("%s drifted=%v replaced=%s", urlOf(l), l.drifted, l.replacedWhy))
		}
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("flagged links:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
