package archive

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchWords makes generated articles read like text, so compression and
// readability behave as they do on real pages.
var benchWords = strings.Fields(`harbour board council engineers voted storm winter summer fishing fleet
channel concrete blocks tonnes metres bay wall meeting decision construction season project cost million
euros government review schedule boats port weather report minister said would could after before during
because although however while residents business owners ferry island coast river bridge road railway
station plan budget survey water energy wind solar power price market school hospital court police`)

func benchSentence(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = benchWords[r.IntN(len(benchWords))]
	}
	w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
	return strings.Join(w, " ") + "."
}

// benchPage is article i, version v: about 25 KiB like a modest news page,
// most of it clutter (a tracking script, navigation, related links) around
// eight paragraphs. ad varies only the advertisement.
func benchPage(i, v, ad int) string {
	r := rand.New(rand.NewPCG(uint64(i), uint64(v)))
	paras := make([]string, 8)
	for p := range paras {
		var s []string
		for range 5 {
			s = append(s, benchSentence(r, 12+r.IntN(10)))
		}
		paras[p] = strings.Join(s, " ")
	}
	page := articlePage(fmt.Sprintf("Story %d: %s", i, benchSentence(r, 6)), paras...)
	// A tracking script as real pages have, unique per page view.
	cr := rand.New(rand.NewPCG(uint64(i), uint64(ad)+1000))
	var js strings.Builder
	js.WriteString("<script>var cfg={")
	for k := range 300 {
		fmt.Fprintf(&js, "k%d:%q,", k, fmt.Sprintf("%016x", cr.Uint64()))
	}
	js.WriteString("};</script>")
	page = strings.Replace(page, "</head>", js.String()+"</head>", 1)
	return strings.Replace(page, "Buy cheap watches now and win a cruise", fmt.Sprintf("Advertisement number %d", ad), 1)
}

// dirBytes is the apparent size of the files under dir; diskBytes what
// they occupy on disk (whole blocks), where small blob files cost more.
func dirBytes(b *testing.B, dir string) int64 {
	n, _ := dirUsage(dir)
	return n
}

func dirUsage(dir string) (size, disk int64) {
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
				if st, ok := fi.Sys().(*syscall.Stat_t); ok {
					disk += st.Blocks * 512
				}
			}
		}
		return nil
	})
	return size, disk
}

// BenchmarkCapture captures 1,000 generated article pages into an empty
// archive, then captures them again a day later with half of them
// unchanged (a quarter byte-identical, a quarter with only the ad rotated)
// and half with new text. It reports snapshots per second for each pass,
// bytes stored per snapshot (WARC + blobs, not the catalog) and how much
// the dedup rules saved in the second pass against storing every page
// again. fsync=on is what linkrot does; fsync=off shows what durability
// costs.
func BenchmarkCapture(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "fsync=on"
		if !sync {
			name = "fsync=off"
		}
		b.Run(name, func(b *testing.B) { benchCapture(b, sync) })
	}
}

func benchCapture(b *testing.B, sync bool) {
	const n = 1000
	urls := make([]string, n)
	first := make([]string, n)
	second := make([]string, n)
	var pageBytes int64
	for i := range urls {
		urls[i] = fmt.Sprintf("https://bench%02d.example/news/%d", i%50, i)
		first[i] = benchPage(i, 0, 0)
		pageBytes += int64(len(first[i]))
		switch i % 4 {
		case 0:
			second[i] = first[i] // the same bytes
		case 1:
			second[i] = benchPage(i, 0, 1) // the same article, another ad
		default:
			second[i] = benchPage(i, 1, 0) // new text
		}
	}
	var (
		pass1, pass2       time.Duration
		bytes1, bytes2     int64
		warc1, disk1       int64
		captured, skipped2 int
	)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e := newEnv(b, nil)
		e.a.setSync(sync)
		ids := e.links(b, urls...)
		ctx := ctxT(b)
		b.StartTimer()

		start := time.Now()
		for i, u := range urls {
			out, _, err := e.a.Capture(ctx, ids[u], htmlResponse(u, first[i], t0))
			if err != nil || out != Captured {
				b.Fatalf("pass 1 %s: %s %v", u, out, err)
			}
		}
		pass1 += time.Since(start)
		b.StopTimer()
		after1, d1 := dirUsage(e.dir)
		bytes1 += after1
		disk1 += d1
		warc1 += dirBytes(b, filepath.Join(e.dir, warcDir))
		b.StartTimer()

		start = time.Now()
		for i, u := range urls {
			out, _, err := e.a.Capture(ctx, ids[u], htmlResponse(u, second[i], t0.Add(25*time.Hour)))
			if err != nil {
				b.Fatal(err)
			}
			want := Captured
			if i%4 < 2 {
				want = Unchanged
			}
			if out != want {
				b.Fatalf("pass 2 %s: %s, want %s", u, out, want)
			}
			if out == Captured {
				captured++
			} else {
				skipped2++
			}
		}
		pass2 += time.Since(start)
		b.StopTimer()
		bytes2 += dirBytes(b, e.dir) - after1
		e.a.Close()
		b.StartTimer()
	}
	runs := float64(b.N)
	perSnap := float64(bytes1) / runs / n
	b.ReportMetric(n*runs/pass1.Seconds(), "snapshots/s")
	b.ReportMetric(n*runs/pass2.Seconds(), "pass2_pages/s")
	b.ReportMetric(perSnap, "B/snapshot")
	b.ReportMetric(float64(warc1)/runs/n, "warc_B/snapshot")
	b.ReportMetric(float64(disk1)/runs/n, "disk_B/snapshot")
	b.ReportMetric(float64(pageBytes)/n, "page_B")
	b.ReportMetric(float64(bytes2)/runs/float64(captured/b.N), "pass2_B/new_snapshot")
	// Without the dedup rules the second pass would have stored every
	// page again at the first pass's cost.
	b.ReportMetric(100*(1-float64(bytes2)/runs/(perSnap*n)), "dedup_saved_%")
	b.ReportMetric(0, "ns/op")
}
