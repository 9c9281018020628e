package sources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
)

// Limits that bound the work one hostile PDF can cause: pages read, glyphs
// kept, link annotations per page and wall time. A file over a limit gives an
// error naming it; the caller moves on to the next document.
const (
	maxPDFPages  = 5000
	maxPDFGlyphs = 4 << 20
	maxPDFAnnots = 4096

	pdfPageSep    = "\f" // between the texts of two pages in the extracted text
	annotationWhy = "PDF link annotation"
)

// maxPDFPageContent bounds the decoded content of one page (a variable so
// that a test can lower it).
var maxPDFPageContent int64 = 32 << 20

// pdfReadLimit bounds the wall time of reading one PDF (a variable so that
// the fuzz test can lower it).
var pdfReadLimit = 60 * time.Second

// ErrPDF wraps every reason a PDF could not be read.
var ErrPDF = errors.New("unreadable PDF")

// isPDF reports whether content starts with the PDF header. Readers accept
// it anywhere in the first KiB, after junk some producers write; so do we,
// but only in binary content, so that a note quoting "%PDF-1.7" stays text.
func isPDF(content []byte) bool {
	if bytes.HasPrefix(bytes.TrimLeft(content, " \t\r\n"), []byte("%PDF-")) {
		return true
	}
	head := content[:min(len(content), 1024)]
	return bytes.Contains(head, []byte("%PDF-")) && IsBinary(content)
}

// pdfLine is one line of a page rebuilt from glyph positions.
type pdfLine struct {
	y     float64 // baseline
	start int     // offset of the line in the page text
	text  string
	xs    []float64 // left edge of each byte's glyph (same length as text)
}

// pdfAnnot is a URI link annotation: the true target of a link and where on
// the page it is.
type pdfAnnot struct {
	url  string
	rect [4]float64 // x1 y1 x2 y2
}

type pdfPage struct {
	text   string
	lines  []pdfLine
	annots []pdfAnnot
}

type pdfFile struct {
	title, date string
	pages       []pdfPage
	warnings    []string // pages that could not be read
}

// extractPDF reads a PDF into per-page text and occurrences. Line and
// Column of an occurrence are within its page (Page, 1-based); Start and End
// are offsets into the document's extracted text: the page texts joined by a
// form feed.
func extractPDF(content []byte, doc *Document, opts Options) error {
	f, err := readPDFBounded(content)
	if err != nil {
		return err
	}
	doc.Title, doc.Date = f.title, f.date
	doc.Warnings = append(doc.Warnings, f.warnings...)
	if len(f.pages) > 0 {
		if doc.Title == "" {
			doc.Title = firstLineTitle(f.pages[0].text)
		}
		if doc.Date == "" {
			doc.Date = findDate(headOf(f.pages[0].text, headerLines))
		}
	}
	ev := evidenceFor(doc.Title, doc.Date, opts)
	base := 0
	for i, p := range f.pages {
		occs := ExtractText(p.text, ev)
		occs = applyAnnotations(p, occs)
		if i == 0 {
			markSource(p.text, occs)
		}
		for j := range occs {
			occs[j].Page = i + 1
		}
		doc.Occurrences = append(doc.Occurrences, shift(occs, base)...)
		base += len(p.text) + len(pdfPageSep)
	}
	return nil
}

// readPDFBounded reads a PDF with the library, turning its panics on hostile
// input into errors and giving up after pdfReadLimit. A read that overruns is
// left to finish in the background; its result is dropped.
func readPDFBounded(content []byte) (pdfFile, error) {
	type result struct {
		f   pdfFile
		err error
	}
	done := make(chan result, 1)
	deadline := time.Now().Add(pdfReadLimit)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: fmt.Errorf("%w: malformed content (%v)", ErrPDF, p)}
			}
			done <- r
		}()
		r.f, r.err = readPDF(content, deadline)
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-time.After(pdfReadLimit + time.Second):
		return pdfFile{}, fmt.Errorf("%w: reading took over %s; gave up", ErrPDF, pdfReadLimit)
	}
}

func readPDF(content []byte, deadline time.Time) (pdfFile, error) {
	var f pdfFile
	r, err := pdf.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		// The library doubles the percent sign of "%%EOF" in its messages.
		return f, fmt.Errorf("%w: %s", ErrPDF, strings.ReplaceAll(err.Error(), "%%", "%"))
	}
	info := r.Trailer().Key("Info")
	f.title = collapseSpace(info.Key("Title").Text())
	f.date = pdfDate(info.Key("CreationDate").Text())
	n := r.NumPage()
	if n > maxPDFPages {
		return f, fmt.Errorf("%w: %d pages, over the limit of %d", ErrPDF, n, maxPDFPages)
	}
	glyphs := 0
	for i := 1; i <= n; i++ {
		if time.Now().After(deadline) {
			return f, fmt.Errorf("%w: reading took over %s; gave up at page %d", ErrPDF, pdfReadLimit, i)
		}
		page := r.Page(i)
		texts, err := pageTexts(page)
		if err != nil {
			f.warnings = append(f.warnings, fmt.Sprintf("page %d: %v; its text was not read", i, err))
		}
		glyphs += len(texts)
		if glyphs > maxPDFGlyphs {
			return f, fmt.Errorf("%w: over %d characters of text by page %d", ErrPDF, maxPDFGlyphs, i)
		}
		p := pdfPage{lines: rebuildLines(texts)}
		if p.annots, err = pageAnnots(page); err != nil {
			f.warnings = append(f.warnings, fmt.Sprintf("page %d: %v; its links were not read", i, err))
		}
		var sb strings.Builder
		for j := range p.lines {
			p.lines[j].start = sb.Len()
			sb.WriteString(p.lines[j].text)
			sb.WriteByte('\n')
		}
		p.text = sb.String()
		f.pages = append(f.pages, p)
	}
	return f, nil
}

// pageTexts returns the positioned glyphs of a page. A page whose content
// the library cannot interpret (it panics) costs that page, not the file.
func pageTexts(page pdf.Page) (texts []pdf.Text, err error) {
	defer func() {
		if p := recover(); p != nil {
			texts, err = nil, fmt.Errorf("malformed content (%v)", p)
		}
	}()
	if page.V.IsNull() {
		return nil, nil
	}
	// The library keeps every glyph of a page; a small compressed stream
	// that inflates to gigabytes must not get that far.
	if n := contentSize(page.V.Key("Contents")); n > maxPDFPageContent {
		return nil, fmt.Errorf("content over %d bytes once decoded", maxPDFPageContent)
	}
	return page.Content().Text, nil
}

// contentSize is the decoded size of a page's content streams, counted up
// to just past maxPDFPageContent.
func contentSize(contents pdf.Value) int64 {
	var readers []io.Reader
	if contents.Kind() == pdf.Array {
		for i := 0; i < contents.Len(); i++ {
			readers = append(readers, contents.Index(i).Reader())
		}
	} else {
		readers = append(readers, contents.Reader())
	}
	n, _ := io.Copy(io.Discard, io.LimitReader(io.MultiReader(readers...), maxPDFPageContent+1))
	return n
}

// pdfDate turns a PDF date ("D:20190405103000Z") into YYYY-MM-DD.
func pdfDate(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 8 {
		return ""
	}
	t, err := time.Parse("20060102", s[:8])
	if err != nil {
		return ""
	}
	return t.Format("2006-01-02")
}

// pageAnnots lists the URI link annotations of a page.
func pageAnnots(page pdf.Page) (out []pdfAnnot, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed annotations (%v)", p)
		}
	}()
	annots := page.V.Key("Annots")
	for i := 0; i < annots.Len() && i < maxPDFAnnots; i++ {
		a := annots.Index(i)
		act := a.Key("A")
		if act.Key("S").Name() != "URI" {
			continue
		}
		u := strings.TrimSpace(act.Key("URI").RawString())
		if u == "" || strings.ContainsAny(u, " \n\r\t") {
			continue
		}
		var an pdfAnnot
		an.url = u
		rect := a.Key("Rect")
		for j := 0; j < 4 && j < rect.Len(); j++ {
			an.rect[j] = rect.Index(j).Float64()
		}
		if an.rect[0] > an.rect[2] {
			an.rect[0], an.rect[2] = an.rect[2], an.rect[0]
		}
		if an.rect[1] > an.rect[3] {
			an.rect[1], an.rect[3] = an.rect[3], an.rect[1]
		}
		out = append(out, an)
	}
	return out, nil
}

// applyAnnotations uses the page's link annotations as evidence for the
// URLs read from its text: an annotation URL that is one of an occurrence's
// candidates (its URL, an alternative, or its URL continued by the text
// that follows across line breaks) settles the repair. Annotation URLs
// found nowhere in the text become occurrences of their own, placed on the
// text the link covers.
func applyAnnotations(p pdfPage, occs []Occurrence) []Occurrence {
	seen := map[string]bool{}
	for _, an := range p.annots {
		if seen[an.url] {
			continue
		}
		seen[an.url] = true
		matched := false
		for i := range occs {
			if annotMatch(p.text, &occs[i], an.url) {
				matched = true
				occs = dropCovered(occs, i)
			}
		}
		if !matched && acceptAnnotURL(an.url) {
			occs = append(occs, annotOccurrence(p, an))
		}
	}
	sort.SliceStable(occs, func(a, b int) bool { return occs[a].Start < occs[b].Start })
	return occs
}

// acceptAnnotURL keeps annotation targets a link checker can use.
func acceptAnnotURL(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "ftp://")
}

func sameAnnotURL(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// annotMatch applies the annotation URL u to o when it is one of o's
// candidates, and reports whether it was.
func annotMatch(text string, o *Occurrence, u string) bool {
	settle := func(repair string) {
		o.Confidence = 1
		o.Reasons = append(o.Reasons, annotationWhy)
		if repair != "" {
			o.Repaired = true
			o.Repairs = append(o.Repairs, repair)
		}
		o.Line, o.Column = lineColumn(text, o.Start)
	}
	if sameAnnotURL(o.URL, u) {
		alts := []string{}
		for _, a := range o.Alternatives {
			if !sameAnnotURL(a, u) {
				alts = append(alts, a)
			}
		}
		o.Alternatives = alts
		settle("")
		return true
	}
	choose := "chose the URL of the " + annotationWhy
	for k, a := range o.Alternatives {
		if sameAnnotURL(a, u) {
			o.Alternatives[k] = o.URL
			o.URL = u
			dropHyphenRepairs(o)
			settle(choose)
			return true
		}
	}
	// The annotation's URL spelled out from where the occurrence starts,
	// across line breaks: the text alone stopped short of it, ran on past a
	// break into prose, or decided a hyphen at a break the other way.
	end, ok := spelledAfter(text, o.Start, u)
	if !ok {
		if i := strings.Index(u, "://"); i > 0 && !strings.Contains(o.URL, "://") {
			end, ok = spelledAfter(text, o.Start, u[i+3:])
		}
	}
	repair := "joined across a line break as the " + annotationWhy + " says"
	switch {
	case !ok:
		return false
	case end < o.End && !strings.ContainsAny(text[end:end+1], " \t\r\n"):
		// The occurrence goes on without a break: a longer URL that only
		// begins like the link's target (a link to the site's home page).
		return false
	case end < o.End:
		repair = "cut at a line break as the " + annotationWhy + " says"
	case end == o.End:
		dropHyphenRepairs(o)
		repair = choose
	}
	o.End = end
	o.Raw = text[o.Start:end]
	o.Alternatives = append(o.Alternatives, o.URL)
	o.URL = u
	settle(repair)
	return true
}

// dropHyphenRepairs forgets what the text alone decided about hyphens at
// breaks, once the annotation has decided the URL.
func dropHyphenRepairs(o *Occurrence) {
	kept := o.Repairs[:0]
	for _, r := range o.Repairs {
		if !strings.Contains(r, "hyphen") {
			kept = append(kept, r)
		}
	}
	o.Repairs = kept
}

// spelledAfter reports whether text from at spells rest, allowing line
// breaks, spaces and a hyphen at a line end in between, and where it ends.
func spelledAfter(text string, at int, rest string) (int, bool) {
	j, k := at, 0
	limit := at + 2*len(rest) + 16
	for k < len(rest) && j < len(text) && j < limit {
		c := text[j]
		switch {
		case c == rest[k]:
			j++
			k++
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			j++
		case c == '-' && j+1 < len(text) && text[j+1] == '\n':
			j++
		default:
			return 0, false
		}
	}
	return j, k == len(rest)
}

// dropCovered removes occurrences after i that o[i]'s span now covers.
func dropCovered(occs []Occurrence, i int) []Occurrence {
	end := occs[i].End
	out := occs[:i+1]
	for _, o := range occs[i+1:] {
		if o.Start < end && o.Start >= occs[i].Start {
			continue
		}
		out = append(out, o)
	}
	return out
}

// annotOccurrence places an annotation URL that the text does not show on
// the text its rectangle covers (the link's anchor text).
func annotOccurrence(p pdfPage, an pdfAnnot) Occurrence {
	o := Occurrence{URL: an.url, Role: RoleCited, Repairs: []string{}, Confidence: 1,
		Alternatives: []string{}, Reasons: []string{"URL of a " + annotationWhy + " not shown in the text"}}
	const slack = 2.0
	for _, l := range p.lines {
		if l.y < an.rect[1]-slack || l.y > an.rect[3]+slack {
			continue
		}
		s, e := -1, -1
		for b, x := range l.xs {
			if x >= an.rect[0]-slack && x < an.rect[2]-slack/2 {
				if s < 0 {
					s = b
				}
				e = b + 1
			}
		}
		if s < 0 {
			continue
		}
		o.Start, o.End = l.start+s, l.start+e
		break
	}
	o.Raw = p.text[o.Start:o.End]
	o.Line, o.Column = lineColumn(p.text, o.Start)
	return o
}

// lineColumn gives the 1-based line and byte column of offset at.
func lineColumn(text string, at int) (int, int) {
	at = min(at, len(text))
	ls := strings.LastIndexByte(text[:at], '\n') + 1
	return strings.Count(text[:at], "\n") + 1, at - ls + 1
}
