package job

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkContentVerdict is what the check run adds per alive HTML page
// (job.run.judge): choosing the reference among the link's copies and
// its citing documents (two catalog reads), reading the reference's text
// blob, ReadableText of the page, drift.Judge and RecordDrift, on real
// SQLite and a real archive. "reference" is a link with a cited copy and
// a light edit since; "no-reference" is archiving off (VisibleText and
// the replaced rules only). cpu-ms/1k-pages is the figure
// docs/benchmarks.md quotes.
func BenchmarkContentVerdict(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "linkrot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	cfg := config.Default()
	arc, err := archive.New(cfg.Archive, filepath.Join(dir, "data"), st, archive.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer arc.Close()
	const links = 200
	rng := rand.New(rand.NewPCG(1, 2))
	var occs []store.Occurrence
	for i := range links {
		u := fmt.Sprintf("https://news.example/story/%d", i)
		occs = append(occs, store.Occurrence{URL: u, Raw: u, Line: i + 1, Column: 1, Role: store.RoleCited, Confidence: 1})
	}
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if _, err := st.SaveDocument(ctx, store.Document{Path: "list.md", Format: "markdown", Date: "2024-03-05", ScannedAt: t0}, occs); err != nil {
		b.Fatal(err)
	}
	header := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	pages := make([][]byte, links)
	linkIDs := make([]int64, links)
	for i, o := range occs {
		a := newArticle(rng, i)
		for range 20 { // about 10 KB of text, as a long article
			a.paras = append(a.paras, paragraph(rng))
		}
		l, err := st.LinkByURL(ctx, o.URL)
		if err != nil {
			b.Fatal(err)
		}
		linkIDs[i] = l.ID
		if _, _, err := arc.Capture(ctx, l.ID, archive.Response{URL: o.URL, Status: 200, Header: header, Body: []byte(a.html()), FetchedAt: t0}); err != nil {
			b.Fatal(err)
		}
		pages[i] = []byte(lightEdit(rng, a, i).html())
	}
	checkAt := t0.Add(30 * 24 * time.Hour)
	checkIDs := make([]int64, links)
	for i, o := range occs {
		if checkIDs[i], err = st.RecordCheck(ctx, store.CheckRecord{URL: o.URL, CheckedAt: checkAt, Class: "ok", Status: 200}, nil, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name  string
		texts SnapshotTexts
	}{{"reference", arc}, {"no-reference", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			r := &run{cat: st, opts: Options{}, drift: &DriftOptions{Texts: bc.texts}, driftCat: st}
			r.opts.defaults()
			finish := r.startDrifts(ctx) // verdicts are stored in batches, as in a run
			defer finish()
			b.ReportAllocs()
			cpu0 := cpuNow()
			i := 0
			for b.Loop() {
				k := i % links
				i++
				res := crawler.Result{URL: occs[k].URL, Class: crawler.ClassOK, Status: 200, Header: header, HTML: pages[k], CheckedAt: checkAt}
				d, _, err := r.judge(ctx, contentJob{linkID: linkIDs[k], checkID: checkIDs[k], url: occs[k].URL, res: res})
				if err != nil {
					b.Fatal(err)
				}
				if d.Drifted || d.Replaced || d.Comparable != (bc.texts != nil) {
					b.Fatalf("%s: %+v", occs[k].URL, d)
				}
			}
			b.ReportMetric(float64((cpuNow()-cpu0).Microseconds())/float64(b.N), "cpu-ms/1k-pages")
		})
	}
}
