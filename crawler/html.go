package crawler

import (
	"bytes"
	"io"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// page is what classification needs from an HTML document.
type page struct {
	title   string
	h1      string
	words   []string // visible text, lower case, in order (only after full)
	scripts int      // only after full
	doc     []byte
	full    bool
}

// text makes sure words and scripts are read: they cost a pass over the
// whole page and many small strings, and only a soft-404 comparison with
// a probe needs them.
func (p *page) text() {
	if !p.full {
		*p = *parsePage(p.doc, true)
	}
}

// maxWords bounds the text kept per page: plenty to tell two pages apart,
// little enough that a huge page costs no more than a normal one.
const maxWords = 2000

// decodeHTML converts the start of an HTML body to UTF-8, finding the
// charset the way browsers do (BOM, header, meta), and returns at most
// prefixBytes of it, cut at a character boundary; cut says it was longer.
func decodeHTML(body []byte, contentType string) (out []byte, cut bool) {
	if enc, name, _ := charset.DetermineEncoding(body[:min(len(body), 1024)], contentType); name == "utf-8" && enc != nil && utf8.Valid(body) {
		// Already UTF-8 (the common case): no copy.
		if len(body) <= prefixBytes {
			return body, false
		}
		out = body[:prefixBytes]
		return trimRune(out), true
	}
	var r io.Reader = bytes.NewReader(body)
	if cr, err := charset.NewReader(r, contentType); err == nil {
		r = cr
	}
	var b bytes.Buffer
	b.Grow(min(len(body)+len(body)/8+16, prefixBytes+1))
	if _, err := b.ReadFrom(io.LimitReader(r, prefixBytes+1)); err != nil && b.Len() == 0 {
		b.Reset()
		b.Write(body[:min(len(body), prefixBytes+1)])
	}
	out = b.Bytes()
	if len(out) > prefixBytes {
		out, cut = trimRune(out[:prefixBytes]), true
	}
	if !utf8.Valid(out) {
		// A page that lies about being UTF-8 (the decoder passes UTF-8
		// through as it is): what is not UTF-8 becomes U+FFFD, as a
		// browser shows it.
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
		if len(out) > prefixBytes {
			out, cut = trimRune(out[:prefixBytes]), true
		}
	}
	return out, cut
}

// trimRune drops a character the end of out cuts through.
func trimRune(out []byte) []byte {
	if len(out) == 0 {
		return out
	}
	i := len(out) - 1
	for i > 0 && !utf8Start(out[i]) {
		i--
	}
	if !utf8.FullRune(out[i:]) {
		out = out[:i]
	}
	return out
}

// parsePage reads title and first heading from HTML already decoded to
// UTF-8 (decodeHTML), and with full also the visible text and scripts.
// Without full it stops once it has both title and heading.
func parsePage(doc []byte, full bool) *page {
	z := html.NewTokenizer(bytes.NewReader(doc))
	p := &page{doc: doc, full: full}
	titleDone := false
	var title, h1 strings.Builder
	inTitle, inH1, h1Done := false, false, false
	skip := 0 // inside script, style, … whose text is not shown
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			p.title = collapse(title.String())
			p.h1 = collapse(h1.String())
			return p
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Script:
				if full {
					p.scripts++
				}
				if tt == html.StartTagToken {
					skip++
				}
			case atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Iframe, atom.Object:
				if tt == html.StartTagToken {
					skip++
				}
			case atom.Title:
				inTitle = tt == html.StartTagToken && title.Len() == 0
			case atom.H1:
				inH1 = tt == html.StartTagToken && !h1Done
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Iframe, atom.Object:
				if skip > 0 {
					skip--
				}
			case atom.Title:
				inTitle, titleDone = false, true
			case atom.H1:
				if inH1 {
					inH1, h1Done = false, true
				}
			}
			if !full && titleDone && h1Done {
				p.title = collapse(title.String())
				p.h1 = collapse(h1.String())
				return p
			}
		case html.TextToken:
			text := string(z.Text())
			if inTitle {
				if title.Len() < 4*titleMax {
					title.WriteString(text)
				}
				continue
			}
			if skip > 0 {
				continue
			}
			if inH1 && h1.Len() < 4*titleMax {
				h1.WriteString(text)
			}
			if full && len(p.words) < maxWords {
				p.words = appendWords(p.words, text, maxWords)
			}
		}
	}
}

// appendWords splits s into lower-case words of letters and digits.
func appendWords(dst []string, s string, limit int) []string {
	for _, w := range strings.FieldsFunc(s, notWordRune) {
		if len(dst) >= limit {
			break
		}
		dst = append(dst, strings.ToLower(w))
	}
	return dst
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// collapse trims and folds runs of white space, and bounds the length.
func collapse(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > titleMax {
		cut := titleMax
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// pathWords are the words of a URL path, as a page that echoes the path
// would show them.
func pathWords(u *url.URL) []string {
	p := u.Path
	if p == "" {
		p = u.EscapedPath()
	}
	return appendWords(nil, p, 64)
}

// withoutRuns removes from words every run of two or more consecutive
// words that also appear consecutively in echo (any run when echo has one
// word): the requested path as a page repeats it ("Sorry, we couldn't find
// /some/missing/page"), so that pages differing only by that echo compare
// equal. Single shared words ("page" in "home page") stay.
func withoutRuns(words, echo []string) []string {
	if len(echo) == 0 || len(words) == 0 {
		return words
	}
	minRun := min(2, len(echo))
	drop := make([]bool, len(words))
	for i := range words {
		for k := range echo {
			if echo[k] != words[i] {
				continue
			}
			n := 0
			for i+n < len(words) && k+n < len(echo) && words[i+n] == echo[k+n] {
				n++
			}
			if n >= minRun {
				for j := i; j < i+n; j++ {
					drop[j] = true
				}
			}
		}
	}
	out := make([]string, 0, len(words))
	for i, w := range words {
		if !drop[i] {
			out = append(out, w)
		}
	}
	return out
}
