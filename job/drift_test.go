package job

import (
	"context"
	"errors"
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/reports"
	"github.com/linkrot/linkrot/store"
)

// vocab makes up the generated articles: a seeded generator draws
// sentences from them, so two articles share hardly any four-word run
// while each reads like prose to readability (long paragraphs in an
// <article>).
var vocab = strings.Fields(`harbour council bridge storm river market library school
	budget winter tunnel railway station museum garden festival orchard bakery ferry
	hospital nurse teacher mayor engineer farmer painter sailor baker miller clerk
	opened closed repaired painted measured counted delayed approved rejected planned
	quickly slowly quietly again finally nearly early later today together alone
	north south eastern western old new small large narrow broad green grey wooden
	stone iron glass copper timber road lane square tower hall barn mill dock pier
	the a its their our with without after before under over beside through across`)

// genArticle is an article of n paragraphs of 3 sentences each.
type genArticle struct {
	title, byline string
	paras         []string
	related       []string
	comments      []string
}

func sentence(rng *rand.Rand) string {
	n := 9 + rng.IntN(8)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = vocab[rng.IntN(len(vocab))]
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	return strings.Join(ws, " ") + "."
}

func paragraph(rng *rand.Rand) string {
	return sentence(rng) + " " + sentence(rng) + " " + sentence(rng)
}

func newArticle(rng *rand.Rand, i int) genArticle {
	a := genArticle{title: fmt.Sprintf("Story %d: %s", i, sentence(rng)), byline: "By Ada Moss | 4 March 2024 | 1,204 views",
		related: []string{"Library to open on Sundays", "Parking charges rise", "School wins robotics prize"}}
	for range 7 {
		a.paras = append(a.paras, paragraph(rng))
	}
	return a
}

func (a genArticle) html() string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>` + html.EscapeString(a.title) + ` | Town News</title></head><body>
<header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/login">Sign in</a></nav><p>We use cookies. Accept all</p></header>
<main><article><h1>` + html.EscapeString(a.title) + `</h1><p class="byline">` + html.EscapeString(a.byline) + `</p>`)
	for _, p := range a.paras {
		b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	b.WriteString(`</article><aside><h2>Related</h2><ul>`)
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
	b.WriteString(`</main><footer><p>© 2026 Town News. All rights reserved.</p></footer></body></html>`)
	return b.String()
}

func page(s string) fakeweb.Behaviour { return fakeweb.Respond(200, "text/html; charset=utf-8", s) }

// lightEdit changes what changes on every visit or in a careful update:
// never enough to count as drift.
func lightEdit(rng *rand.Rand, a genArticle, kind int) genArticle {
	a.paras = append([]string(nil), a.paras...)
	switch kind % 6 {
	case 0: // dates and counters
		a.byline = "By Ada Moss | Updated 9 April 2025 | 3,877 views"
	case 1: // related box rotated, comments grown
		a.related = []string{"Storm brings down trees", "New cycle lane divides opinion"}
		a.comments = []string{sentence(rng) + " " + sentence(rng), sentence(rng)}
	case 2: // a typo fixed
		a.paras[2] = strings.Replace(a.paras[2], " ", "  ", 1)
		a.paras[3] = a.paras[3][:len(a.paras[3])-1] + "!"
	case 3: // an update note on top
		a.paras = append([]string{"Update: this story was corrected on 9 April 2025."}, a.paras...)
	case 4: // a paragraph added at the end
		a.paras = append(a.paras, paragraph(rng))
	case 5: // one sentence reworded
		a.paras[1] = sentence(rng) + " " + a.paras[1][strings.Index(a.paras[1], ".")+2:]
	}
	return a
}

// TestDriftThroughRunner is issue 15's acceptance on a site of our own:
// pages change between two runs of job.Runner (archive on) in the ways
// drift must tell apart, and the verdicts stored per check are scored.
func TestDriftThroughRunner(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rng := rand.New(rand.NewPCG(15, 1))
	site := h.web.Site("news.example")
	site.Page("/", page(`<html><head><title>Town News</title></head><body><h1>Town News</h1><p>Welcome to the front page of Town News, with the stories of the day from the harbour and the hills.</p></body></html>`))
	site.Page("/login", page(`<html><head><title>Sign in | Town News</title></head><body><form><label>Email</label><input name=e><label>Password</label><input type=password><button>Sign in</button></form></body></html>`))
	parked := h.web.Site("parked.example")

	type want struct{ drifted, replaced bool }
	type link struct {
		url   string
		after fakeweb.Behaviour
		want  want
		light bool
	}
	var links []link
	add := func(s *fakeweb.Site, host, path string, before string, after fakeweb.Behaviour, w want, light bool) {
		s.Page(path, page(before))
		links = append(links, link{url: "https://" + host + path, after: after, want: w, light: light})
	}
	for i := range 48 {
		a := newArticle(rng, i)
		add(site, "news.example", fmt.Sprintf("/light/%d", i), a.html(), page(lightEdit(rng, a, i).html()), want{}, true)
	}
	// Legacy charsets: the check's body prefix is UTF-8 by then, the
	// stored copy is the raw bytes; both must read the same text.
	cyr := "<p>Городской совет утвердил новый план реконструкции старого моста через реку, который был построен более ста лет назад и давно нуждается в ремонте.</p>" +
		"<p>Работы начнутся весной и продлятся два года; на это время движение транспорта будет перенаправлено по соседним улицам, а пешеходы смогут пользоваться временным переходом.</p>" +
		"<p>Жители района в целом поддержали решение, хотя некоторые выразили опасения по поводу шума и пыли во время строительства в летние месяцы.</p>"
	for i, cs := range []string{"windows-1251"} {
		for j, in := range []fakeweb.CharsetIn{fakeweb.InHeader, fakeweb.InMeta} {
			path := fmt.Sprintf("/legacy/%d-%d", i, j)
			site.Page(path, fakeweb.Charset(cs, in, "Мост через реку", cyr))
			links = append(links, link{url: "https://news.example" + path, after: fakeweb.Charset(cs, in, "Мост через реку", cyr), light: true})
		}
	}
	for i := range 24 {
		a := newArticle(rng, 100+i)
		b := newArticle(rng, 200+i)
		if i%2 == 1 {
			// Half rewritten: the first paragraph kept, the rest new.
			b.paras[0], b.title = a.paras[0], a.title
		}
		add(site, "news.example", fmt.Sprintf("/rewritten/%d", i), a.html(), page(b.html()), want{drifted: true}, false)
	}
	for i := range 8 {
		a := newArticle(rng, 300+i)
		add(site, "news.example", fmt.Sprintf("/moved/%d", i), a.html(), fakeweb.Redirect(301, "/"), want{replaced: true}, false)
	}
	for i := range 6 {
		a := newArticle(rng, 400+i)
		add(site, "news.example", fmt.Sprintf("/members/%d", i), a.html(), fakeweb.Redirect(302, "/login?next=/members"), want{replaced: true}, false)
	}
	for i := range 8 {
		a := newArticle(rng, 500+i)
		add(parked, "parked.example", fmt.Sprintf("/2019/%d", i), a.html(),
			page(`<html><head><title>parked.example is for sale</title></head><body><h1>parked.example</h1><p>This domain may be for sale. Make an offer today.</p><p>Related searches: web hosting, cheap domains</p></body></html>`),
			want{replaced: true}, false)
	}
	var doc strings.Builder
	doc.WriteString("# Reading list\n\n")
	for _, l := range links {
		doc.WriteString("- <" + l.url + ">\n")
	}
	h.writeDoc("list.md", doc.String())

	cfg := h.pipelineConfig()
	ctx := context.Background()
	r, err := Open(ctx, cfg, Deps{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := r.Run(ctx, "run", CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Check.Captured != len(links) {
		t.Fatalf("first run captured %d of %d: %+v", res.Check.Captured, len(links), res.Check)
	}
	for _, l := range links {
		s := site
		if strings.Contains(l.url, "parked.example") {
			s = parked
		}
		s.Page(strings.TrimPrefix(strings.TrimPrefix(l.url, "https://"), s.Host()), l.after)
	}
	h.clock.Advance(8 * 24 * time.Hour)
	res, err = r.Check(ctx, CheckOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("second run: %+v", res.Check)

	var tpD, fpD, fnD, tpR, fpR, fnR, lightFlagged int
	for _, l := range links {
		d, err := r.Catalog().LatestDrift(ctx, l.url)
		if err != nil {
			t.Errorf("%s: %v", l.url, err)
			continue
		}
		if !d.CheckedAt.After(h.clock.Now().Add(-time.Hour)) {
			t.Errorf("%s: verdict of %s is not the second run's", l.url, d.CheckedAt)
		}
		if d.Drifted != l.want.drifted || d.Replaced != l.want.replaced {
			t.Logf("%s: drifted %v replaced %v (%s %s) similarity %.3f comparable %v", l.url, d.Drifted, d.Replaced,
				d.ReplacedReason, d.Evidence, d.Similarity, d.Comparable)
		}
		tpD, fpD, fnD = score(tpD, fpD, fnD, d.Drifted, l.want.drifted)
		tpR, fpR, fnR = score(tpR, fpR, fnR, d.Replaced, l.want.replaced)
		if l.light && (d.Drifted || d.Replaced) {
			lightFlagged++
		}
	}
	pD, rD := pr(tpD, fpD, fnD)
	pR, rR := pr(tpR, fpR, fnR)
	t.Logf("drifted: precision %.3f recall %.3f; replaced: precision %.3f recall %.3f; light edits flagged %d", pD, rD, pR, rR, lightFlagged)
	if pD < 0.95 || rD < 0.95 || pR < 0.95 || rR < 0.95 || lightFlagged > 0 {
		t.Errorf("drifted P %.3f R %.3f, replaced P %.3f R %.3f, light edits flagged %d; want ≥ 0.95 and none", pD, rD, pR, rR, lightFlagged)
	}
	if res.Check.Drifted != tpD+fpD || res.Check.Replaced != tpR+fpR {
		t.Errorf("run summary drifted %d replaced %d; the catalog says %d and %d", res.Check.Drifted, res.Check.Replaced, tpD+fpD, tpR+fpR)
	}

	// The report's "Changed since cited": every flagged link, the drifted
	// ones with the sentences the cited copy had and the page lost.
	arc0, err := r.Archiver()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := reports.Build(ctx, r.Catalog(), reports.Selection{Texts: arc0})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.ChangedSinceCited) != tpD+fpD+tpR+fpR || rep.Summary.Drifted != tpD+fpD {
		t.Errorf("report lists %d changed (%d drifted); want %d (%d)", len(rep.ChangedSinceCited), rep.Summary.Drifted, tpD+fpD+tpR+fpR, tpD+fpD)
	}
	for _, c := range rep.ChangedSinceCited {
		if c.Drifted && (len(c.Removed) == 0 || c.RemovedWords < 50 || c.ReferenceCopy == nil) {
			t.Errorf("%s: drifted but the report shows %d removed sentences (%d words), reference %v", c.URL, len(c.Removed), c.RemovedWords, c.ReferenceCopy)
		}
	}

	// Issue 17 item 6: the parking page was captured (it is new content),
	// marked, and is not the latest good copy; the article still is.
	u := "https://parked.example/2019/0"
	var marked int
	if err := r.Catalog().Snapshots(ctx, u, func(s store.Snapshot) error {
		if s.Replaced != "" {
			marked++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	latest, err := r.Catalog().LatestSnapshot(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if marked != 1 || latest.Replaced != "" || strings.Contains(latest.Title, "for sale") {
		t.Errorf("parked link: %d copies marked replaced, latest good copy %q (replaced %q)", marked, latest.Title, latest.Replaced)
	}
	arc, err := r.Archiver()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if _, err := arc.Restore(ctx, u, time.Time{}, "text", &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "for sale") {
		t.Errorf("restore gave the parking page: %.200s", out.String())
	}

	// A third run over the same parking page: seen unchanged, not stored
	// again on every check.
	h.clock.Advance(8 * 24 * time.Hour)
	if res, err = r.Check(ctx, CheckOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := r.Catalog().Snapshots(ctx, u, func(store.Snapshot) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("parked link has %d copies after three runs; want 2 (the article and one parking page)", n)
	}
}

func score(tp, fp, fn int, got, want bool) (int, int, int) {
	switch {
	case got && want:
		tp++
	case got:
		fp++
	case want:
		fn++
	}
	return tp, fp, fn
}

func pr(tp, fp, fn int) (precision, recall float64) {
	precision, recall = 1, 1
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	return precision, recall
}

// TestSoft404ThroughRunner: a site whose missing pages answer 200 with a
// "not found" page, checked through job.Runner with the archive on and
// off: the body prefix the check reads decides soft-404 either way.
func TestSoft404ThroughRunner(t *testing.T) {
	t.Parallel()
	for _, archiveOn := range []bool{true, false} {
		t.Run(fmt.Sprintf("archive=%v", archiveOn), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			rng := rand.New(rand.NewPCG(404, 2))
			var missing, real []string
			templates := []fakeweb.Behaviour{
				fakeweb.SoftNotFound(),
				page(`<html><head><title>Oops! That page can’t be found.</title></head><body><h1>Oops! That page can’t be found.</h1><p>It looks like nothing was found at this location. Maybe try a search?</p></body></html>`),
				page(`<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>`),
				page(`<html><head><title>Town News</title></head><body><header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/sport/">Sport</a></nav></header><main><h1>Sorry, the page you requested could not be found</h1><p>The link may be broken or the page may have been removed. Try the search box or go back to the front page.</p></main><footer><p>© 2026 Town News. All rights reserved. Contact us, Privacy, Terms.</p></footer></body></html>`),
				page(`<html><head><title>Error 404 | Harbour Blog</title></head><body><h1>Error 404</h1><p>Nothing here. This page doesn’t exist or was moved.</p><ul><li><a href="/">Latest posts</a></li><li><a href="/archive/">Archive</a></li></ul></body></html>`),
			}
			var doc strings.Builder
			for s := range 10 {
				host := fmt.Sprintf("site%d.example", s)
				site := h.web.Site(host).Fallback(templates[s%len(templates)])
				for i := range 8 {
					a := newArticle(rng, s*100+i)
					site.Page(fmt.Sprintf("/post/%d", i), page(a.html()))
					real = append(real, fmt.Sprintf("https://%s/post/%d", host, i))
				}
				for i := range 60 {
					missing = append(missing, fmt.Sprintf("https://%s/gone/%d-%s", host, i, vocab[rng.IntN(len(vocab))]))
				}
			}
			for _, u := range append(append([]string(nil), real...), missing...) {
				doc.WriteString("- <" + u + ">\n")
			}
			h.writeDoc("list.md", doc.String())
			cfg := h.pipelineConfig()
			cfg.Archive.Enabled = archiveOn
			ctx := context.Background()
			r, err := Open(ctx, cfg, Deps{Now: h.clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Run(ctx, "run", CheckOptions{}); err != nil && !errors.Is(err, ErrNetworkDown) {
				t.Fatal(err)
			}
			class := func(u string) string {
				l, err := r.Catalog().LinkByURL(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				return l.LastClass
			}
			var tp, fp, fn int
			for _, u := range missing {
				tp, fp, fn = score(tp, fp, fn, class(u) == "soft_404", true)
			}
			for _, u := range real {
				if c := class(u); c == "soft_404" {
					fp++
					t.Errorf("%s (a real page) taken for a soft 404", u)
				}
			}
			p, rec := pr(tp, fp, fn)
			t.Logf("archive %v: soft-404 precision %.3f recall %.3f over %d missing, %d real", archiveOn, p, rec, len(missing), len(real))
			if p < 1 || rec < 0.98 {
				t.Errorf("soft-404 precision %.3f recall %.3f; want 1.0 and ≥ 0.98", p, rec)
			}
		})
	}
}

// TestDriftReferenceIsTheCitedCopy: the reference is the copy nearest
// before the citing document's date, not the newest: a page rewritten
// after it was cited stays drifted at every later check, although the
// archive by then holds a copy of the rewrite; a document citing it after
// the rewrite makes the rewrite the reference instead.
func TestDriftReferenceIsTheCitedCopy(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rng := rand.New(rand.NewPCG(7, 7))
	site := h.web.Site("news.example")
	a, b := newArticle(rng, 1), newArticle(rng, 2)
	site.Page("/old", page(a.html()))
	site.Page("/new", page(a.html()))
	t0 := h.clock.Now()
	// Cited a day after the first capture; /new is cited only after the
	// rewrite, by a second document.
	h.writeDoc("old.md", "---\ndate: "+t0.Add(24*time.Hour).Format(time.DateOnly)+"\n---\n# Old\n\n<https://news.example/old>\n")
	h.writeDoc("new.md", "---\ndate: "+t0.Add(5*24*time.Hour).Format(time.DateOnly)+"\n---\n# New\n\n<https://news.example/new>\n")
	ctx := context.Background()
	r, err := Open(ctx, h.pipelineConfig(), Deps{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Run(ctx, "run", CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	site.Page("/old", page(b.html()))
	site.Page("/new", page(b.html()))
	for run := 2; run <= 3; run++ {
		h.clock.Advance(2 * 24 * time.Hour)
		if _, err := r.Check(ctx, CheckOptions{All: true}); err != nil {
			t.Fatal(err)
		}
		old, err := r.Catalog().LatestDrift(ctx, "https://news.example/old")
		if err != nil {
			t.Fatal(err)
		}
		if !old.Drifted || !old.ReferenceCapturedAt.Equal(t0) {
			t.Errorf("run %d, /old: drifted %v against the copy of %s; want drifted against the cited copy of %s", run, old.Drifted, old.ReferenceCapturedAt, t0)
		}
		nw, err := r.Catalog().LatestDrift(ctx, "https://news.example/new")
		if err != nil {
			t.Fatal(err)
		}
		switch run {
		case 2: // no copy of the rewrite yet: the first copy is all there is
			if !nw.Drifted {
				t.Errorf("run 2, /new: %+v; want drifted from the only copy", nw)
			}
		case 3: // the rewrite was captured before /new was cited
			if nw.Drifted || nw.Similarity < 0.99 || !nw.ReferenceCapturedAt.After(t0) {
				t.Errorf("run 3, /new: %+v; want similar to the rewrite's copy", nw)
			}
		}
	}
}

func TestIDSet(t *testing.T) {
	t.Parallel()
	var s idSet
	in := []int64{0, 1, 63, 64, 65, 1000, 4096}
	for _, id := range in {
		s.add(id)
	}
	s.add(-5) // ignored
	for _, id := range in {
		if !s.has(id) {
			t.Errorf("has(%d) = false after add", id)
		}
	}
	for _, id := range []int64{-5, 2, 62, 66, 999, 4095, 4097, 1 << 40} {
		if s.has(id) {
			t.Errorf("has(%d) = true, never added", id)
		}
	}
	if len(s) != 4096/64+1 {
		t.Errorf("bitmap of %d words for a largest ID of 4096", len(s))
	}
}
