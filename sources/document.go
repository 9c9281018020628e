package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Format is how a document's text is laid out.
type Format string

const (
	FormatText      Format = "text"
	FormatMarkdown  Format = "markdown"
	FormatHTML      Format = "html"
	FormatBookmarks Format = "bookmarks" // Netscape bookmark export (HTML dialect)
	FormatPDF       Format = "pdf"       // text and link annotations of a PDF (pdf.go)
	FormatFeed      Format = "feed"      // RSS or Atom feed (feed.go)
	FormatSitemap   Format = "sitemap"   // XML sitemap or sitemap index (sitemap.go)
	FormatPocket    Format = "pocket"    // Pocket export, HTML or CSV (export_pocket.go)
	FormatPinboard  Format = "pinboard"  // Pinboard JSON export (export_pinboard.go)
	FormatRaindrop  Format = "raindrop"  // Raindrop.io CSV export (export_raindrop.go)
)

// ErrBinary is returned for content that is not text.
var ErrBinary = errors.New("binary content, not a text document")

// Document is what extraction learns from one document's bytes.
type Document struct {
	Format    Format
	Title     string // as the document states it; "" when it states none
	Date      string // YYYY-MM-DD when the document states a date
	SourceURL string // the URL the document declares as its origin
	// Occurrences are in order of appearance; offsets are into the content.
	Occurrences []Occurrence
	// Warnings describe trouble that did not stop extraction (invalid UTF-8).
	Warnings []string
}

// Options override what a document states about itself.
type Options struct {
	Title string
	Date  string // YYYY-MM-DD

	ctx context.Context // set by ExtractDocumentContext
}

// ExtractDocument finds the URLs of one document and what it says about
// itself. name is used only to help detect the format. It does no I/O.
func ExtractDocument(name string, content []byte, opts Options) (Document, error) {
	if isPDF(content) { // binary, so before the binary check
		doc := Document{Format: FormatPDF}
		err := extractPDF(content, &doc, opts)
		return finishDocument(doc), err
	}
	if IsBinary(content) {
		return Document{}, ErrBinary
	}
	doc := Document{Format: DetectFormat(name, content)}
	if !utf8.Valid(content) {
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("invalid UTF-8 at byte %d; URLs were taken from the readable parts", firstInvalidUTF8(content)))
	}
	// The text is read in place, not copied: a 60 MB document costs 60 MB
	// once (issue 17). Nothing returned may point into it, because the
	// caller owns content; detach copies what is kept before returning.
	text := unsafe.String(unsafe.SliceData(content), len(content))
	if read := structuredReaders[doc.Format]; read != nil {
		// Feeds, sitemaps and exports set positions themselves.
		err := read(text, &doc, opts)
		detach(&doc)
		return finishDocument(doc), err
	}
	switch doc.Format {
	case FormatHTML, FormatBookmarks:
		extractHTML(text, &doc, opts)
	case FormatMarkdown:
		extractMarkdown(text, &doc, opts)
	default:
		extractPlain(text, &doc, opts)
	}
	if opts.ctx != nil && opts.ctx.Err() != nil {
		return Document{}, opts.ctx.Err() // unfinished: nothing half-read is kept
	}
	setPositions(text, doc.Occurrences)
	detach(&doc)
	return finishDocument(doc), nil
}

// finishDocument takes the source URL from the first source occurrence.
func finishDocument(doc Document) Document {
	for i := range doc.Occurrences {
		if doc.Occurrences[i].Role == RoleSource && doc.SourceURL == "" {
			doc.SourceURL = doc.Occurrences[i].URL
		}
	}
	return doc
}

// ExtractDocumentContext is ExtractDocument that stops soon after ctx is
// cancelled (it looks every 64 KiB of text) and then returns ctx's error and
// no document.
func ExtractDocumentContext(ctx context.Context, name string, content []byte, opts Options) (Document, error) {
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	opts.ctx = ctx
	return ExtractDocument(name, content, opts)
}

// detach gives doc its own copies of the strings that may point into the
// content it was read from.
func detach(doc *Document) {
	doc.Title = strings.Clone(doc.Title)
	doc.Date = strings.Clone(doc.Date)
	doc.SourceURL = strings.Clone(doc.SourceURL)
	for i := range doc.Occurrences {
		o := &doc.Occurrences[i]
		o.Raw = strings.Clone(o.Raw)
		o.URL = strings.Clone(o.URL)
		o.Title = strings.Clone(o.Title)
		o.Date = strings.Clone(o.Date)
		for _, list := range [][]string{o.Alternatives, o.Repairs, o.Reasons} {
			for k := range list {
				list[k] = strings.Clone(list[k])
			}
		}
	}
	for k := range doc.Warnings {
		doc.Warnings[k] = strings.Clone(doc.Warnings[k])
	}
}

// evidenceFor combines what the document states with the caller's overrides.
func evidenceFor(title, date string, opts Options) Evidence {
	if opts.Title != "" {
		title = opts.Title
	}
	if opts.Date != "" {
		date = opts.Date
	}
	return Evidence{Title: title, Date: date, ctx: opts.ctx}
}

// DetectFormat decides the format from the content first and the file
// extension second: scraped "HTML" saved as .txt is still HTML.
func DetectFormat(name string, content []byte) Format {
	head := content
	if len(head) > 4096 {
		head = head[:4096]
	}
	if isPDF(content) {
		return FormatPDF
	}
	lower := bytes.ToLower(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))))
	if bytes.Contains(lower, []byte("<!doctype netscape-bookmark-file")) {
		return FormatBookmarks
	}
	if f := detectStructured(lower); f != "" {
		return f
	}
	if bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) {
		return FormatHTML
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".md", ".markdown", ".mdown", ".mkd":
		return FormatMarkdown
	case ".txt", ".text":
		return FormatText
	}
	if looksLikeHTML(lower) {
		return FormatHTML
	}
	return FormatText
}

// looksLikeHTML is true when a text starts with an element that only HTML
// documents and fragments start with.
func looksLikeHTML(lower []byte) bool {
	for _, tag := range []string{"<head", "<body", "<p>", "<p ", "<div", "<a ", "<article", "<section", "<meta", "<title", "<ul", "<table", "<h1", "<h2", "<!--"} {
		if bytes.HasPrefix(lower, []byte(tag)) {
			return true
		}
	}
	return false
}

// IsBinary reports whether content looks like a binary file: a NUL byte or
// many control characters near the start.
func IsBinary(content []byte) bool {
	head := content
	if len(head) > 8192 {
		head = head[:8192]
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	control := 0
	for _, b := range head {
		if b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != '\v' && b != 0x1b {
			control++
		}
	}
	return len(head) > 0 && control*10 > len(head)
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// setPositions recomputes Line and Column (1-based, column in bytes) from
// Start, so that pieces extracted separately agree on one numbering.
func setPositions(text string, occs []Occurrence) {
	line, lineStart, pos := 1, 0, 0
	for i := range occs {
		start := occs[i].Start
		if start < pos { // out of order; restart the count
			line, lineStart, pos = 1, 0, 0
		}
		for ; pos < start && pos < len(text); pos++ {
			if text[pos] == '\n' {
				line++
				lineStart = pos + 1
			}
		}
		occs[i].Line = line
		occs[i].Column = start - lineStart + 1
	}
}

// shift moves occurrences found in a slice of the document to document offsets.
func shift(occs []Occurrence, by int) []Occurrence {
	for i := range occs {
		occs[i].Start += by
		occs[i].End += by
	}
	return occs
}
