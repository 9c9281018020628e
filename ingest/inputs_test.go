package ingest

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/linkrot/linkrot/store"
)

// pdfWithLink writes a one-page PDF whose text breaks a URL over two lines
// under a link annotation that holds it whole.
func pdfWithLink(t *testing.T, first, second, target string) []byte {
	t.Helper()
	p := fpdf.New("P", "pt", "A4", "")
	p.SetFont("Helvetica", "", 11)
	p.AddPage()
	for i, line := range []string{first, second} {
		y := 90 + 14*float64(i)
		p.Text(72, y, line)
		p.LinkString(72, y-10, p.GetStringWidth(line), 13, target)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A malformed PDF is a warning naming the file; the run goes on to the next
// documents, PDFs, feeds and exports among them, which are all stored.
func TestAddReadsNewInputsAndSurvivesABadPDF(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	dir := t.TempDir()
	good := pdfWithLink(t, "Report: https://reports.example.org/2019/annual-", "summary.pdf was read.", "https://reports.example.org/2019/annual-summary.pdf")
	write(t, filepath.Join(dir, "a-bad.pdf"), string(good[:len(good)/3]))
	write(t, filepath.Join(dir, "b-good.pdf"), string(good))
	write(t, filepath.Join(dir, "c-feed.rss"), "<rss><channel><link>https://blog.example.org/</link><item><link>https://blog.example.org/post-1</link></item></channel></rss>")
	write(t, filepath.Join(dir, "d-pocket.csv"), "title,url,time_added,tags,status\nSaved,https://saved.example.com/article,1546300800,,unread\n")
	write(t, filepath.Join(dir, "e-sitemap.xml"), "<urlset><url><loc>https://shop.example.com/p/1</loc></url></urlset>")
	var warnings []string
	s, err := Add(ctx, st, []string{dir}, Options{Warn: func(p string, err error) { warnings = append(warnings, filepath.Base(p)+": "+err.Error()) }})
	if err != nil {
		t.Fatal(err)
	}
	if s.Documents != 5 || s.Added != 4 || s.Skipped != 1 {
		t.Errorf("stats %+v: want 5 documents, 4 added, 1 skipped", s)
	}
	if len(warnings) != 1 || !strings.HasPrefix(warnings[0], "a-bad.pdf: unreadable PDF") {
		t.Errorf("warnings %q: want one naming a-bad.pdf as an unreadable PDF", warnings)
	}
	got := links(t, st, store.LinkFilter{})
	for _, u := range []string{
		"https://reports.example.org/2019/annual-summary.pdf",
		"https://blog.example.org/", "https://blog.example.org/post-1",
		"https://saved.example.com/article", "https://shop.example.com/p/1",
	} {
		if _, ok := got[u]; !ok {
			t.Errorf("link %s not stored; have %d links", u, len(got))
		}
	}
	doc, err := st.DocumentByPath(ctx, filepath.Join(dir, "b-good.pdf"))
	if err != nil || doc.Format != "pdf" {
		t.Errorf("b-good.pdf stored as %q (%v), want format pdf", doc.Format, err)
	}
}
