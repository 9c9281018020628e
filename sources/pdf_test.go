package sources

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/ledongthuc/pdf"
)

// pdfLineSpec is one line a test writes on a page: its words, justified
// to a width when justify is set, and an optional link over the whole line.
type pdfLineSpec struct {
	text    string
	justify bool
	link    string
}

// makePDF writes a PDF with one page per element of pages, each line at a
// fixed leading, like a typeset paper. It is what the PDF tests read.
func makePDF(t testing.TB, title string, pages [][]pdfLineSpec) []byte {
	t.Helper()
	p := fpdf.New("P", "pt", "A4", "")
	p.SetCompression(true)
	if title != "" {
		p.SetTitle(title, true)
	}
	p.SetCreationDate(time.Date(2019, 4, 5, 10, 30, 0, 0, time.UTC))
	p.SetFont("Helvetica", "", 11)
	const left, width, leading = 72.0, 300.0, 14.0
	for _, lines := range pages {
		p.AddPage()
		y := 90.0
		for _, l := range lines {
			spaces := strings.Count(l.text, " ")
			if l.justify && spaces > 0 {
				// Justification as typesetters do it: extra word spacing.
				p.SetWordSpacing((width - p.GetStringWidth(l.text)) / float64(spaces))
			}
			p.Text(left, y, l.text)
			p.SetWordSpacing(0)
			if l.link != "" {
				p.LinkString(left, y-10, p.GetStringWidth(l.text), 13, l.link)
			}
			y += leading
		}
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pdfURLs(doc Document) []string {
	var out []string
	for _, o := range doc.Occurrences {
		out = append(out, o.URL)
	}
	return out
}

func TestPDFJustifiedWrappedHyphenatedURL(t *testing.T) {
	const target = "https://www.example.org/reports/annual-review/2019/findings-summary.pdf"
	content := makePDF(t, "Annual review", [][]pdfLineSpec{{
		{text: "Annual review 2019", justify: false},
		{text: "The full findings are published at https://www.example.", justify: true, link: target},
		{text: "org/reports/annual-review/2019/findings-sum-", justify: true, link: target},
		{text: "mary.pdf and were checked by the committee of the", justify: true, link: target},
		{text: "society; see also https://example.com/about for the team.", justify: false},
	}})
	doc, err := ExtractDocument("review.pdf", content, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Format != FormatPDF || doc.Title != "Annual review" || doc.Date != "2019-04-05" {
		t.Fatalf("format %q title %q date %q", doc.Format, doc.Title, doc.Date)
	}
	got := pdfURLs(doc)
	want := []string{target, "https://example.com/about"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("URLs\n got %q\nwant %q", got, want)
	}
	o := doc.Occurrences[0]
	if o.Page != 1 || o.Line != 2 || !o.Repaired || o.Confidence < 0.99 || !contains(o.Reasons, annotationWhy) {
		t.Errorf("occurrence %+v: want page 1 line 2, repaired with confidence 1 by %q", o, annotationWhy)
	}
	if strings.Contains(strings.Join(o.Repairs, ";"), "kept hyphen") {
		t.Errorf("repairs %q still say the hyphen was kept", o.Repairs)
	}
	if !strings.HasPrefix(o.Raw, "https://www.example.") || !strings.HasSuffix(o.Raw, "mary.pdf") {
		t.Errorf("raw %q should cover the three lines of the broken URL", o.Raw)
	}
	if o2 := doc.Occurrences[1]; o2.Line != 5 || o2.Column != len("society; see also ")+1 || o2.Page != 1 {
		t.Errorf("second URL at page %d line %d column %d, want 1/5/%d", o2.Page, o2.Line, o2.Column, len("society; see also ")+1)
	}
}

func TestPDFWithoutAnnotationStillRepairs(t *testing.T) {
	content := makePDF(t, "", [][]pdfLineSpec{{
		{text: "Data: https://data.example.org/sets/2019/", justify: true},
		{text: "river-levels.csv was used throughout.", justify: false},
	}})
	doc, err := ExtractDocument("data.pdf", content, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pdfURLs(doc); len(got) != 1 || got[0] != "https://data.example.org/sets/2019/river-levels.csv" {
		t.Fatalf("URLs %q", got)
	}
}

func TestPDFMultiPageAndAnnotationOnly(t *testing.T) {
	content := makePDF(t, "Pages", [][]pdfLineSpec{
		{{text: "First page cites https://one.example.org/a."}},
		{{text: "Second page"}, {text: "and https://two.example.org/b here."}},
		{{text: "Third page"}, {text: "Read the press release", link: "https://three.example.org/press/2019"}},
	})
	doc, err := ExtractDocument("pages.pdf", content, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type pos struct {
		url        string
		page, line int
		raw        string
	}
	want := []pos{
		{"https://one.example.org/a", 1, 1, "https://one.example.org/a"},
		{"https://two.example.org/b", 2, 2, "https://two.example.org/b"},
		{"https://three.example.org/press/2019", 3, 2, "Read the press release"},
	}
	if len(doc.Occurrences) != len(want) {
		t.Fatalf("URLs %q, want %d", pdfURLs(doc), len(want))
	}
	for i, w := range want {
		o := doc.Occurrences[i]
		if o.URL != w.url || o.Page != w.page || o.Line != w.line || o.Raw != w.raw {
			t.Errorf("occurrence %d: %q page %d line %d raw %q; want %+v", i, o.URL, o.Page, o.Line, o.Raw, w)
		}
	}
	// Offsets are into the pages' texts joined by form feeds.
	if doc.Occurrences[1].Start <= doc.Occurrences[0].End {
		t.Errorf("offsets not increasing across pages: %+v", doc.Occurrences)
	}
}

func TestPDFMalformed(t *testing.T) {
	good := makePDF(t, "x", [][]pdfLineSpec{{{text: "see https://example.org/x"}}})
	for name, content := range map[string][]byte{
		"truncated":    good[:len(good)/2],
		"header only":  []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
		"garbage xref": append([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nxref\n0 zz\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF"), 0),
	} {
		_, err := ExtractDocument("bad.pdf", content, Options{})
		if !errors.Is(err, ErrPDF) {
			t.Errorf("%s: err %v, want ErrPDF", name, err)
		}
	}
}

func TestPDFWalkReadsPDFs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "paper.pdf"), makePDF(t, "", [][]pdfLineSpec{{{text: "x"}}}), 0o644); err != nil {
		t.Fatal(err)
	}
	var seen []string
	if err := Walk([]string{dir}, func(p string) error { seen = append(seen, filepath.Base(p)); return nil }, func(*WalkError) {}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != "paper.pdf" {
		t.Fatalf("walk visited %q, want paper.pdf", seen)
	}
}

// A page whose content the library cannot interpret costs that page only.
func TestPDFBadPageIsAWarning(t *testing.T) {
	p := fpdf.New("P", "pt", "A4", "")
	p.SetCompression(false) // so that the test can damage a content stream
	p.SetFont("Helvetica", "", 11)
	for _, line := range []string{"one https://a.example.org/", "two https://b.example.org/", "three https://c.example.org/"} {
		p.AddPage()
		p.Text(72, 90, line)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	content := buf.Bytes()
	// Page 2's first operator becomes two restores of a state never saved.
	first := bytes.Index(content, []byte("stream\n0 J\n"))
	second := first + 1 + bytes.Index(content[first+1:], []byte("stream\n0 J\n"))
	if first < 0 || second <= first {
		t.Fatal("content streams not found")
	}
	copy(content[second+len("stream\n"):], "Q Q\n")
	doc, err := ExtractDocument("damaged.pdf", content, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pdfURLs(doc); strings.Join(got, " ") != "https://a.example.org/ https://c.example.org/" {
		t.Errorf("URLs %q, want pages 1 and 3", got)
	}
	if len(doc.Warnings) != 1 || !strings.HasPrefix(doc.Warnings[0], "page 2: malformed content") {
		t.Errorf("warnings %q, want one about page 2", doc.Warnings)
	}
}

// A paper set in two columns: a URL wrapped within the left column must
// read on in that column, not run into the right column's line beside it.
func TestPDFTwoColumns(t *testing.T) {
	p := fpdf.New("P", "pt", "A4", "")
	p.SetFont("Helvetica", "", 10)
	p.AddPage()
	p.Text(72, 60, "Rivers of the North: a survey across the whole page width")
	left := []string{
		"Gauge readings were taken daily",
		"and are archived at https://data.",
		"example.org/gauges/daily-2019.csv",
		"for anyone to use.",
	}
	right := []string{
		"The second column discusses",
		"methods; see https://methods.",
		"example.net/protocol/v2 for the",
		"field protocol in full.",
	}
	for i := range left {
		y := 90 + 12*float64(i)
		p.Text(72, y, left[i])
		p.Text(300, y, right[i])
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	doc, err := ExtractDocument("paper.pdf", buf.Bytes(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := pdfURLs(doc)
	want := []string{"https://data.example.org/gauges/daily-2019.csv", "https://methods.example.net/protocol/v2"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("URLs %q, want %q", got, want)
	}
	// The left column's lines come first: title, then 4 left, then 4 right.
	if o := doc.Occurrences[1]; o.Line != 7 || o.Column != len("methods; see ")+1 {
		t.Errorf("right-column URL at line %d column %d, want line 7 column %d", o.Line, o.Column, len("methods; see ")+1)
	}
}

func TestAnnotationMatch(t *testing.T) {
	cases := []struct {
		name, text, occURL, occRaw, annot string
		want                              bool
		wantURL, wantRaw, wantRepair      string
	}{
		{"extends a join the text refused", "see www.example.org/annual-\nreview.pdf now\n", "www.example.org/annual-", "www.example.org/annual-",
			"https://www.example.org/annual-review.pdf", true, "https://www.example.org/annual-review.pdf", "www.example.org/annual-\nreview.pdf", "joined across a line break"},
		{"cuts prose glued across a break", "see https://a.example.org/report\nsummary was good\n", "https://a.example.org/reportsummary", "https://a.example.org/report\nsummary",
			"https://a.example.org/report", true, "https://a.example.org/report", "https://a.example.org/report", "cut at a line break"},
		{"decides a hyphen the other way", "see https://a.example.org/sum-\nmary.pdf\n", "https://a.example.org/sum-mary.pdf", "https://a.example.org/sum-\nmary.pdf",
			"https://a.example.org/summary.pdf", true, "https://a.example.org/summary.pdf", "https://a.example.org/sum-\nmary.pdf", "chose the URL"},
		{"a link to the home page is not this URL", "see https://a.example.org/page here\n", "https://a.example.org/page", "https://a.example.org/page",
			"https://a.example.org/", false, "https://a.example.org/page", "https://a.example.org/page", ""},
		{"another URL entirely", "see https://a.example.org/x\n", "https://a.example.org/x", "https://a.example.org/x",
			"https://b.example.org/x", false, "https://a.example.org/x", "https://a.example.org/x", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := strings.Index(c.text, c.occRaw)
			o := Occurrence{URL: c.occURL, Raw: c.occRaw, Start: start, End: start + len(c.occRaw), Repairs: []string{}, Alternatives: []string{}, Reasons: []string{}}
			got := annotMatch(c.text, &o, c.annot)
			if got != c.want || o.URL != c.wantURL || o.Raw != c.wantRaw || o.Raw != c.text[o.Start:o.End] {
				t.Fatalf("match %v URL %q raw %q (text %q); want %v %q %q", got, o.URL, o.Raw, c.text[o.Start:o.End], c.want, c.wantURL, c.wantRaw)
			}
			if c.want && (o.Confidence != 1 || !strings.Contains(strings.Join(o.Repairs, ";"), c.wantRepair) || !contains(o.Reasons, annotationWhy)) {
				t.Errorf("confidence %v repairs %q reasons %q; want a repair %q", o.Confidence, o.Repairs, o.Reasons, c.wantRepair)
			}
		})
	}
}

func TestPDFPageContentLimit(t *testing.T) {
	content := makePDF(t, "", [][]pdfLineSpec{{{text: "small https://a.example.org/"}}, {{text: strings.Repeat("long line of text ", 20)}, {text: "and https://b.example.org/"}}})
	old := maxPDFPageContent
	maxPDFPageContent = 600 // between the two pages' decoded sizes
	defer func() { maxPDFPageContent = old }()
	doc, err := ExtractDocument("big.pdf", content, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := pdfURLs(doc); len(got) != 1 || got[0] != "https://a.example.org/" {
		t.Errorf("URLs %q, want page 1's only", got)
	}
	if len(doc.Warnings) != 1 || !strings.HasPrefix(doc.Warnings[0], "page 2: content over") {
		t.Errorf("warnings %q", doc.Warnings)
	}
}

// rebuildLines on glyphs as the library gives them: one per character,
// words placed apart without space glyphs, lines out of order.
func TestRebuildLines(t *testing.T) {
	var texts []pdf.Text
	put := func(x, y float64, s string) {
		for _, r := range s {
			texts = append(texts, pdf.Text{X: x, Y: y, W: 5, FontSize: 10, S: string(r)})
			x += 5
		}
	}
	put(100, 700, "second")     // shown first, but lower on the page
	put(100, 712, "see")        // the first line, with a word gap...
	put(120, 712.5, "https://") // ...and a baseline a little off
	put(160, 712, "x.org/\ufb01les/")
	lines := rebuildLines(texts)
	var got []string
	for _, l := range lines {
		got = append(got, l.text)
		if len(l.xs) != len(l.text) {
			t.Errorf("line %q has %d positions", l.text, len(l.xs))
		}
	}
	if want := []string{"see https://x.org/files/", "second"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("lines %q, want %q", got, want)
	}
}
