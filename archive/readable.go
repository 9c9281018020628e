package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// article is the readable form of a page.
type article struct {
	title, byline, siteName, excerpt, language string
	published                                  string // RFC 3339 if it parsed, else as found
	html                                       []byte // sanitised article fragment, UTF-8
	text                                       string
	words                                      int
}

// mediaType returns the response's Content-Type as sent and its media type
// in lower case, sniffing the body when the header is missing or unusable.
func mediaType(h http.Header, body []byte) (contentType, media string) {
	contentType = h.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return contentType, strings.ToLower(mt)
	}
	sniffed := http.DetectContentType(body)
	mt, _, _ := mime.ParseMediaType(sniffed)
	if contentType == "" {
		contentType = sniffed
	}
	return contentType, mt
}

func isHTML(media string) bool {
	return media == "text/html" || media == "application/xhtml+xml"
}

// decodeText converts body to UTF-8 the way browsers choose the charset: a
// byte-order mark, then the charset parameter of contentType, then a
// <meta charset> or http-equiv in the first 1024 bytes (for HTML), and
// failing all of those UTF-8 when the whole body is valid UTF-8, else
// windows-1252.
func decodeText(body []byte, contentType string, htmlDoc bool) []byte {
	var enc encoding.Encoding
	if htmlDoc {
		e, name, certain := charset.DetermineEncoding(body, contentType)
		enc = e
		// DetermineEncoding looks at 1024 bytes only: a long ASCII head
		// followed by UTF-8 text would be taken for windows-1252. Its
		// fallback is the one case it is not sure and names windows-1252
		// without a declaration, so the whole body decides then.
		if !certain && name == "windows-1252" && utf8.Valid(body) && !declaresCharset(body) {
			return body
		}
		// UTF-8 decoded as UTF-8 is the same bytes when they are valid
		// (the decoder only replaces invalid ones); no copy.
		if name == "utf-8" && utf8.Valid(body) {
			return body
		}
	} else {
		_, params, _ := mime.ParseMediaType(contentType)
		if cs := params["charset"]; cs != "" {
			enc, _ = charset.Lookup(cs)
		}
		if enc == nil {
			if utf8.Valid(body) {
				return body
			}
			enc, _ = charset.Lookup("windows-1252")
		}
	}
	if enc == nil || enc == encoding.Nop {
		return body
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body
	}
	return out
}

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+charset`)

// declaresCharset reports whether the head of an HTML body declares a
// charset in a meta tag.
func declaresCharset(body []byte) bool {
	return metaCharset.Match(body[:min(len(body), 1024)])
}

// maxArticleElements bounds the elements of a page given to readability.
const maxArticleElements = 100_000

// extractArticle makes the readable article of an HTML page. It reports
// false when readability finds no article (an index page, an app shell):
// the page is then kept raw only, and only the title (if any) is set.
//
// The charset is decoded here, not by readability: FromReader guesses it
// with a statistical detector and ignores the Content-Type header, which
// gets short legacy-encoded pages wrong. The decoded document goes to the
// parser directly.
func extractArticle(body []byte, contentType string, pageURL *url.URL) (art article, ok bool) {
	defer func() {
		// The parser walks arbitrary HTML from the web; a bug in it must
		// cost the readable copy of one page, not the run.
		if recover() != nil {
			art, ok = article{}, false
		}
	}()
	doc, err := html.Parse(bytes.NewReader(decodeText(body, contentType, true)))
	if err != nil {
		return article{}, false
	}
	p := readability.NewParser()
	// A page this large is not an article; its raw copy is kept, and the
	// parser (which scores every element several times) is spared.
	p.MaxElemsToParse = maxArticleElements
	a, err := p.ParseAndMutate(doc, pageURL)
	if err != nil {
		return article{}, false
	}
	if a.Node == nil {
		// No article, but the title still names the copy in listings.
		return article{title: strings.TrimSpace(a.Title())}, false
	}
	var text strings.Builder
	if err := a.RenderText(&text); err != nil {
		return article{}, false
	}
	art = article{
		title:    strings.TrimSpace(a.Title()),
		byline:   strings.TrimSpace(a.Byline()),
		siteName: strings.TrimSpace(a.SiteName()),
		excerpt:  strings.TrimSpace(a.Excerpt()),
		language: strings.TrimSpace(a.Language()),
		text:     tidyText(text.String()),
	}
	if t, err := a.PublishedTime(); err == nil {
		art.published = t.UTC().Format(time.RFC3339)
	}
	art.words = len(strings.Fields(art.text))
	if art.words == 0 {
		return article{title: art.title}, false
	}
	// The text was taken before sanitising, so it does not carry the
	// image placeholders sanitising adds.
	sanitize(a.Node)
	var h bytes.Buffer
	if err := html.Render(&h, a.Node); err != nil {
		return article{}, false
	}
	art.html = h.Bytes()
	return art, true
}

// tidyText trims trailing spaces from lines and runs of blank lines, which
// readability leaves where it removed elements.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\u00a0")
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
			l = ""
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}

// textHash is what change detection compares for a page with text: the
// SHA-256 of its words, so that re-flowed whitespace is not a change.
func textHash(text string) string {
	sum := sha256.Sum256([]byte(strings.Join(strings.Fields(text), " ")))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// The sanitiser. The readable HTML is opened in a browser, from disk, long
// after the page was captured, so it must not run anything or fetch
// anything: an allowlist of elements and attributes, everything else
// removed (with its content, for elements that are code, embeds, media or
// forms) or unwrapped (for unknown but harmless containers). The restored
// page's CSP forbids the same things again, in case something slips
// through.

// dropWhole are removed together with their content.
var dropWhole = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Frame: true, atom.Frameset: true, atom.Object: true,
	atom.Embed: true, atom.Applet: true, atom.Param: true, atom.Svg: true, atom.Math: true,
	atom.Canvas: true, atom.Video: true, atom.Audio: true, atom.Source: true, atom.Track: true,
	atom.Form: true, atom.Input: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
	atom.Option: true, atom.Link: true, atom.Meta: true, atom.Base: true, atom.Head: true,
	atom.Title: true, atom.Dialog: true, atom.Map: true, atom.Area: true,
}

// keepElement are kept as they are (minus attributes not allowed).
var keepElement = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Span: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Main: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.A: true, atom.Em: true, atom.Strong: true, atom.B: true, atom.I: true, atom.U: true,
	atom.S: true, atom.Small: true, atom.Sub: true, atom.Sup: true, atom.Mark: true,
	atom.Abbr: true, atom.Cite: true, atom.Q: true, atom.Code: true, atom.Pre: true,
	atom.Kbd: true, atom.Samp: true, atom.Var: true, atom.Blockquote: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true,
	atom.Th: true, atom.Td: true, atom.Caption: true, atom.Colgroup: true, atom.Col: true,
	atom.Figure: true, atom.Figcaption: true, atom.Img: true, atom.Br: true, atom.Hr: true,
	atom.Time: true, atom.Del: true, atom.Ins: true, atom.Details: true, atom.Summary: true,
	atom.Ruby: true, atom.Rt: true, atom.Rp: true, atom.Bdi: true, atom.Bdo: true,
	atom.Wbr: true, atom.Address: true, atom.Dfn: true, atom.Data: true,
}

// keepAttr are the attributes that neither run nor fetch anything. href
// and src are handled separately; style is not kept (url() fetches).
var keepAttr = map[string]bool{
	"alt": true, "title": true, "colspan": true, "rowspan": true, "headers": true,
	"scope": true, "lang": true, "dir": true, "datetime": true, "start": true,
	"reversed": true, "id": true, "class": true, "width": true, "height": true,
	"abbr": true, "value": true, "open": true,
}

// inlineImage matches the data: URLs an <img> may keep: raster images only
// (an SVG can carry script).
var inlineImage = regexp.MustCompile(`(?i)^data:image/(png|gif|jpeg|webp);base64,`)

// sanitize cleans the tree under n in place. An image that would be
// fetched from the network becomes its alt text in brackets, or goes if it
// has none; links keep http, https, mailto and in-page targets only.
func sanitize(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.CommentNode, html.DoctypeNode, html.RawNode:
			n.RemoveChild(c)
		case html.ElementNode:
			sanitizeElement(n, c)
		}
		c = next
	}
}

func sanitizeElement(parent, c *html.Node) {
	switch {
	case c.Namespace != "" || dropWhole[c.DataAtom]:
		parent.RemoveChild(c)
		return
	case c.DataAtom == atom.Img:
		replaceImage(parent, c)
		return
	case !keepElement[c.DataAtom]:
		// Unwrap: keep the children, which are sanitised as the walk goes
		// on from them.
		sanitize(c)
		for gc := c.FirstChild; gc != nil; {
			next := gc.NextSibling
			c.RemoveChild(gc)
			parent.InsertBefore(gc, c)
			gc = next
		}
		parent.RemoveChild(c)
		return
	}
	attrs := c.Attr[:0]
	for _, a := range c.Attr {
		key := strings.ToLower(a.Key)
		switch {
		case a.Namespace != "":
		case key == "href" && c.DataAtom == atom.A:
			if safeHref(a.Val) {
				attrs = append(attrs, html.Attribute{Key: "href", Val: a.Val})
			}
		case keepAttr[key]:
			attrs = append(attrs, html.Attribute{Key: key, Val: a.Val})
		}
	}
	c.Attr = attrs
	if c.DataAtom == atom.A && hasAttr(c, "href") {
		// Following a link from an archived copy must not tell the site
		// where the reader came from.
		c.Attr = append(c.Attr, html.Attribute{Key: "rel", Val: "noreferrer noopener"})
	}
	sanitize(c)
}

func replaceImage(parent, img *html.Node) {
	var alt, src string
	for _, a := range img.Attr {
		switch strings.ToLower(a.Key) {
		case "alt":
			alt = strings.TrimSpace(a.Val)
		case "src":
			src = strings.TrimSpace(a.Val)
		}
	}
	if inlineImage.MatchString(src) {
		img.Attr = []html.Attribute{{Key: "src", Val: src}, {Key: "alt", Val: alt}}
		return
	}
	if alt != "" {
		span := &html.Node{Type: html.ElementNode, Data: "span", DataAtom: atom.Span,
			Attr: []html.Attribute{{Key: "class", Val: "lr-img"}}}
		span.AppendChild(&html.Node{Type: html.TextNode, Data: "[image: " + alt + "]"})
		parent.InsertBefore(span, img)
	}
	parent.RemoveChild(img)
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// safeHref reports whether a link target only navigates: http(s), mailto
// or a fragment. javascript:, data: and the like are dropped.
func safeHref(v string) bool {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "#") {
		return true
	}
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return true
	}
	return false
}
