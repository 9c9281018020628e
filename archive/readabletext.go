package archive

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PageText is what content verdicts (soft-404, drift, replaced) read from
// an HTML body: its title and its text.
type PageText struct {
	Title string
	// Text is the readable article's text, exactly as a snapshot's text
	// blob keeps it, so it compares with the reference copy; when
	// readability finds no article (a home page, a parking page, a login
	// form) it is the page's visible text instead, bounded.
	Text string
	// Article is true when Text is the readable article.
	Article bool
}

// maxVisibleText bounds the fallback text: the pages that have no article
// and matter here (parking, login, error pages) are short.
const maxVisibleText = 64 << 10

// ReadableText turns an HTML body (possibly a truncated prefix) into its
// title and text without writing anything: the same extraction Capture
// uses for the text blob, with a plain visible-text fallback. contentType
// is the response's header (it may name the charset); pageURL may be nil.
func ReadableText(body []byte, contentType string, pageURL *url.URL) PageText {
	art, ok := extractArticle(body, contentType, pageURL)
	if ok {
		return PageText{Title: art.title, Text: art.text, Article: true}
	}
	title, text := visibleText(decodeText(body, contentType, true))
	if art.title != "" {
		title = art.title
	}
	return PageText{Title: title, Text: text}
}

// VisibleText is the cheap reading of an HTML body: its title and visible
// text, one line per block, without readability. It is enough for the
// verdicts that need no reference copy (soft-404, replaced) when the link
// has no snapshot to compare with; a drift comparison needs ReadableText,
// which makes text the way the stored copies were made.
func VisibleText(body []byte, contentType string) PageText {
	title, text := visibleText(decodeText(body, contentType, true))
	return PageText{Title: title, Text: text}
}

// VisibleWords is VisibleText read from the token stream, without
// building a tree: the same title and the same words in the same order,
// but lines may also break where a block starts. For verdicts that read
// words only (the replaced rules, which collapse white space); a drift
// comparison, whose furniture rules read lines, takes VisibleText.
func VisibleWords(body []byte, contentType string) PageText {
	title, text := visibleTokens(decodeText(body, contentType, true))
	return PageText{Title: title, Text: text}
}

// visibleText is the text a reader would see, one line per block, without
// scripts, styles or templates.
func visibleText(body []byte) (title, text string) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return "", ""
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if b.Len() >= maxVisibleText {
			return
		}
		switch n.Type {
		case html.TextNode:
			if s := strings.Join(strings.Fields(n.Data), " "); s != "" {
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
					b.WriteByte(' ')
				}
				b.WriteString(s)
			}
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Head:
				if n.DataAtom == atom.Head {
					title = findTitle(n)
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && isBlock(n.DataAtom) && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	walk(doc)
	text = b.String()
	if len(text) > maxVisibleText {
		text = text[:maxVisibleText]
		text = strings.ToValidUTF8(text, "")
	}
	return title, tidyText(text)
}

func findTitle(n *html.Node) string {
	if n.Type == html.ElementNode && n.DataAtom == atom.Title {
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if t := findTitle(c); t != "" {
			return t
		}
	}
	return ""
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Br, atom.Li, atom.Ul, atom.Ol, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Section, atom.Article, atom.Header, atom.Footer, atom.Nav, atom.Main, atom.Aside, atom.Form,
		atom.Table, atom.Tr, atom.Td, atom.Th, atom.Blockquote, atom.Pre, atom.Label, atom.Button, atom.Dd, atom.Dt,
		atom.Figcaption, atom.Title, atom.Body:
		return true
	}
	return false
}

// SnapshotText returns the readable text of a snapshot, checked against
// its hash: the reference side of a drift comparison. It is the text
// blob when the capture kept one; for an HTML capture without one (no
// article was found, or readable copies are not kept) it is ReadableText
// of the raw copy, so both sides of a comparison are made the same way.
// "" and no error when there is no text to be had (not HTML, no copy).
func (a *Archiver) SnapshotText(s Snapshot) (string, error) {
	if s.TextBlob != "" {
		b, err := a.blobs.get(s.TextBlob)
		if err != nil {
			return "", fmt.Errorf("text of snapshot %d: %w", s.ID, err)
		}
		return string(b), nil
	}
	if s.RawBlob == "" {
		return "", nil
	}
	if mt, _, _ := mime.ParseMediaType(s.ContentType); !isHTML(strings.ToLower(mt)) {
		return "", nil
	}
	raw, err := a.blobs.get(s.RawBlob)
	if err != nil {
		return "", fmt.Errorf("text of snapshot %d: %w", s.ID, err)
	}
	u, _ := url.Parse(s.URL)
	return ReadableText(raw, s.ContentType, u).Text, nil
}
