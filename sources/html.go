package sources

import (
	"html"
	"net/url"
	"sort"
	"strings"

	xhtml "golang.org/x/net/html"
)

// refAttrs are the attributes a browser follows or loads, on any element
// (custom elements with href included): one URL each.
var refAttrs = map[string]bool{
	"href": true, "src": true, "cite": true, "action": true, "formaction": true,
	"poster": true, "background": true, "longdesc": true, "manifest": true,
	"xlink:href": true, "icon": true,
}

// listAttrs hold several URLs: srcset candidates ("a.jpg 1x, b.jpg 2x") and
// ping's space-separated list.
var listAttrs = map[string]bool{"srcset": true, "imagesrcset": true, "ping": true}

// htmlText is a run of text between tags, entities still encoded.
type htmlText struct {
	start  int
	raw    string
	anchor string // the cleaned href of the enclosing <a>, if any
}

// htmlAttr is a URL attribute value found in a tag.
type htmlAttr struct {
	start, end int
	raw        string
	source     bool
}

// extractHTML reads HTML and Netscape bookmark files: URLs in reference
// attributes, the canonical link as the source URL, and bare URLs in text.
func extractHTML(original string, doc *Document, opts Options) {
	// A <wbr>, <span> or <br> inside a URL in text splits it into two text
	// tokens; see maskInlineTags.
	text := maskInlineTags(original)
	defer func() {
		for i := range doc.Occurrences {
			o := &doc.Occurrences[i]
			o.Raw = original[o.Start:o.End]
		}
	}()
	var (
		texts                   []htmlText
		attrs                   []htmlAttr
		base, canonical, ogURL  string
		title, h1, date         string
		inTitle, inH1, skipText bool
		anchor                  string
		visible                 strings.Builder
	)
	z := xhtml.NewTokenizer(strings.NewReader(text))
	off, nextLook := 0, ctxStride
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		if opts.ctx != nil && off >= nextLook {
			if opts.ctx.Err() != nil {
				return
			}
			nextLook = off + ctxStride
		}
		raw := string(z.Raw())
		start := off
		off += len(raw)
		switch tt {
		case xhtml.TextToken:
			switch {
			case inTitle:
				title += html.UnescapeString(raw)
			case skipText:
			default:
				if inH1 {
					h1 += html.UnescapeString(raw)
				}
				texts = append(texts, htmlText{start: start, raw: raw, anchor: anchor})
				if visible.Len() < 16<<10 {
					visible.WriteString(html.UnescapeString(raw))
				}
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := strings.ToLower(string(name))
			spans := TagAttrs(raw)
			get := func(key string) (TagAttr, bool) {
				for _, s := range spans {
					if s.Name == key {
						return s, true
					}
				}
				return TagAttr{}, false
			}
			value := func(key string) string {
				s, _ := get(key)
				return html.UnescapeString(raw[s.Start:s.End])
			}
			switch tag {
			case "title":
				inTitle = tt == xhtml.StartTagToken && title == ""
			case "h1":
				inH1 = h1 == ""
			case "script", "style", "noscript", "template", "textarea":
				skipText = tt == xhtml.StartTagToken
			case "base":
				base = strings.TrimSpace(value("href"))
			case "link":
				if _, ok := get("href"); ok && hasToken(value("rel"), "canonical") {
					canonical = strings.TrimSpace(value("href"))
				}
			case "meta":
				if s, ok := get("content"); ok && strings.EqualFold(strings.TrimSpace(value("http-equiv")), "refresh") {
					if a, ok := refreshTarget(raw, s, start); ok {
						attrs = append(attrs, a)
					}
				}
				key := strings.ToLower(value("property") + value("name") + value("itemprop"))
				switch key {
				case "og:url":
					if s, ok := get("content"); ok {
						ogURL = strings.TrimSpace(value("content"))
						attrs = append(attrs, htmlAttr{start: start + s.Start, end: start + s.End, raw: raw[s.Start:s.End], source: true})
					}
				case "article:published_time", "date", "datepublished", "dc.date", "pubdate":
					if date == "" {
						date = findDate(value("content"))
					}
				case "og:title":
					if title == "" {
						title = value("content")
					}
				}
			case "time":
				if date == "" {
					date = findDate(value("datetime"))
				}
			}
			attrs = appendRefAttrs(attrs, tag, raw, start, spans, value)
			if s, ok := get("href"); ok && tag == "a" {
				anchor, _, _ = CleanAttrURL(raw[s.Start:s.End])
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			switch strings.ToLower(string(name)) {
			case "title":
				inTitle = false
			case "h1":
				inH1 = false
			case "script", "style", "noscript", "template", "textarea":
				skipText = false
			case "a":
				anchor = ""
			}
		}
	}

	doc.Title = collapseSpace(title)
	if doc.Title == "" {
		doc.Title = collapseSpace(h1)
	}
	doc.Date = date
	if doc.Date == "" {
		doc.Date = findDate(headOf(visible.String(), headerLines))
	}
	resolveBase := base
	if resolveBase == "" {
		resolveBase = canonical
	}
	if resolveBase == "" {
		resolveBase = ogURL
	}
	baseURL, _ := url.Parse(resolveBase)
	if baseURL != nil && !baseURL.IsAbs() {
		baseURL = nil
	}

	var occs []Occurrence
	for _, a := range attrs {
		if o, ok := attrOccurrence(a, baseURL); ok {
			occs = append(occs, o)
		}
	}
	ev := evidenceFor(doc.Title, doc.Date, opts)
	for i, t := range texts {
		if i%256 == 0 && opts.ctx != nil && opts.ctx.Err() != nil {
			return
		}
		if !strings.Contains(t.raw, ".") {
			continue // no URL can be in it; skips the many whitespace runs
		}
		for _, o := range shift(ExtractText(t.raw, ev), t.start) {
			if t.anchor != "" && o.URL == t.anchor {
				continue // the link's own text repeats its href
			}
			occs = append(occs, o)
		}
	}
	sort.SliceStable(occs, func(i, j int) bool { return occs[i].Start < occs[j].Start })
	doc.Occurrences = occs
	// A bare "Source:" label in the text can still name the source when the
	// page has no canonical link.
	if canonical == "" && ogURL == "" {
		markSource(text, doc.Occurrences)
	}
}

// appendRefAttrs adds the URL-bearing attributes of one start tag: every
// refAttrs attribute, <object data>, and each URL of a list attribute. A
// canonical <link> is the document's source.
func appendRefAttrs(attrs []htmlAttr, tag, raw string, start int, spans []TagAttr, value func(string) string) []htmlAttr {
	source := tag == "link" && hasToken(value("rel"), "canonical")
	for _, s := range spans {
		switch {
		case refAttrs[s.Name] || s.Name == "data" && tag == "object":
			attrs = append(attrs, htmlAttr{start: start + s.Start, end: start + s.End, raw: raw[s.Start:s.End], source: source && s.Name == "href"})
		case listAttrs[s.Name]:
			for _, p := range listURLs(raw[s.Start:s.End], s.Name == "ping") {
				attrs = append(attrs, htmlAttr{start: start + s.Start + p[0], end: start + s.Start + p[1], raw: raw[s.Start+p[0] : s.Start+p[1]]})
			}
		}
	}
	return attrs
}

// listURLs returns the [start, end) spans of the URLs in a srcset value
// (comma-separated candidates, each a URL and an optional descriptor) or,
// when spaced, a ping value (URLs separated by spaces).
func listURLs(v string, spaced bool) [][2]int {
	var out [][2]int
	i := 0
	for i < len(v) {
		for i < len(v) && (isHTMLSpace(v[i]) || !spaced && v[i] == ',') {
			i++
		}
		j := i
		for j < len(v) && !isHTMLSpace(v[j]) {
			j++
		}
		end := j
		if !spaced {
			for end > i && v[end-1] == ',' {
				end-- // "a.jpg," is a candidate without a descriptor
			}
		}
		if end > i {
			out = append(out, [2]int{i, end})
		}
		i = j
		if !spaced {
			for i < len(v) && v[i] != ',' {
				i++ // the descriptor ("2x", "480w")
			}
		}
	}
	return out
}

// refreshTarget finds the URL in a <meta http-equiv="refresh"> content
// value ("5; url=https://example.org/next"), given its span s in the raw tag.
func refreshTarget(raw string, s TagAttr, start int) (htmlAttr, bool) {
	v := raw[s.Start:s.End]
	semi := strings.IndexAny(v, ";,")
	if semi < 0 {
		return htmlAttr{}, false
	}
	i := semi + 1
	for i < len(v) && isHTMLSpace(v[i]) {
		i++
	}
	if i+3 < len(v) && strings.EqualFold(v[i:i+3], "url") {
		j := i + 3
		for j < len(v) && isHTMLSpace(v[j]) {
			j++
		}
		if j < len(v) && v[j] == '=' {
			i = j + 1
			for i < len(v) && isHTMLSpace(v[i]) {
				i++
			}
		}
	}
	end := len(v)
	if i < end && (v[i] == '\'' || v[i] == '"') {
		if k := strings.IndexByte(v[i+1:], v[i]); k >= 0 {
			end = i + 1 + k
		}
		i++
	}
	if i >= end {
		return htmlAttr{}, false
	}
	return htmlAttr{start: start + s.Start + i, end: start + s.Start + end, raw: v[i:end]}, true
}

// inlineTags are the elements that can sit inside a URL in running text
// without breaking it for a reader: phrasing markup and <wbr>. <br> is a
// line break, read like a newline in plain text.
var inlineTags = setOf(`span b i em strong u s small mark font sub sup abbr wbr br`)

// maskInlineTags replaces every inline tag (start or end, with its
// attributes) with invisible characters of exactly the tag's byte length,
// and <br> with a newline and invisible characters, so that a URL split by
// markup reads whole and offsets still point into the original. It reads
// the text once and copies it only when it has such a tag.
func maskInlineTags(text string) string {
	var b []byte
	last := 0
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '<')
		if j < 0 {
			break
		}
		start := i + j
		end, name := inlineTagAt(text, start)
		if end == 0 {
			i = start + 1
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(text))
		}
		b = append(b, text[last:start]...)
		if name == "br" {
			b = append(b, '\n')
			b = append(b, invisible(end-start-1)...)
		} else {
			b = append(b, invisible(end-start)...)
		}
		last, i = end, end
	}
	if b == nil {
		return text
	}
	return string(append(b, text[last:]...))
}

// inlineTagAt returns the end of an inline tag that starts at text[i] ('<')
// and its lower-case name; 0 when there is none.
func inlineTagAt(text string, i int) (int, string) {
	j := i + 1
	if j < len(text) && text[j] == '/' {
		j++
	}
	k := j
	for k < len(text) && k-j < 8 && isLetter(text[k]) {
		k++
	}
	if k == j || k >= len(text) {
		return 0, ""
	}
	name := strings.ToLower(text[j:k])
	if !inlineTags[name] || text[k] != '>' && text[k] != '/' && !isHTMLSpace(text[k]) {
		return 0, ""
	}
	var quote byte
	for ; k < len(text) && k-i < 512; k++ {
		switch c := text[k]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '<':
			return 0, ""
		case c == '>':
			return k + 1, name
		}
	}
	return 0, ""
}

// invisible returns n bytes (n ≥ 2) of mask characters (see maskRune3).
func invisible(n int) string {
	var b strings.Builder
	for n > 0 {
		if n%2 == 1 || n == 3 || n > 4 {
			b.WriteRune(maskRune3)
			n -= 3
		} else {
			b.WriteRune(maskRune2)
			n -= 2
		}
	}
	return b.String()
}

// attrOccurrence turns one attribute value into an occurrence, resolving
// relative references against the document's base when it has one.
func attrOccurrence(a htmlAttr, base *url.URL) (Occurrence, bool) {
	role := RoleCited
	if a.source {
		role = RoleSource
	}
	clean, repairs, ok := CleanAttrURL(a.raw)
	var reasons []string
	if !ok {
		if base == nil {
			return Occurrence{}, false
		}
		ref, err := url.Parse(strings.TrimSpace(html.UnescapeString(a.raw)))
		if err != nil || ref.Scheme != "" || strings.HasPrefix(ref.String(), "#") || ref.String() == "" {
			return Occurrence{}, false
		}
		clean, repairs, ok = CleanAttrURL(base.ResolveReference(ref).String())
		if !ok {
			return Occurrence{}, false
		}
		repairs = append(repairs, "resolved relative URL")
		reasons = append(reasons, "relative to the document's base "+base.String())
	}
	if repairs == nil {
		repairs = []string{}
	}
	if reasons == nil {
		reasons = []string{}
	}
	return Occurrence{
		URL: clean, Raw: a.raw, Start: a.start, End: a.end, Role: role,
		Repaired: clean != a.raw, Repairs: repairs, Confidence: 1,
		Alternatives: []string{}, Reasons: reasons,
	}, true
}

// TagAttr is one attribute of a raw start tag: its lower-case name and the
// byte span of its raw value in the tag, quotes excluded.
type TagAttr struct {
	Name       string
	Start, End int
	Quote      byte // '"', '\'' or 0 when unquoted
}

// TagAttrs lists the attributes of one raw start tag with their value
// offsets, which the tokenizer's decoded attributes do not give. Anything
// that rewrites attribute values in place (linkrot fix) must use it, so its
// spans agree with the extractor's.
func TagAttrs(tag string) []TagAttr {
	var spans []TagAttr
	i := 1
	for i < len(tag) && !isHTMLSpace(tag[i]) && tag[i] != '>' && tag[i] != '/' {
		i++ // tag name
	}
	for i < len(tag) {
		for i < len(tag) && (isHTMLSpace(tag[i]) || tag[i] == '/') {
			i++
		}
		if i >= len(tag) || tag[i] == '>' {
			break
		}
		ns := i
		for i < len(tag) && !isHTMLSpace(tag[i]) && tag[i] != '=' && tag[i] != '>' && !(tag[i] == '/' && i > ns) {
			i++
		}
		if i == ns {
			i++ // a stray character; step over it
			continue
		}
		name := strings.ToLower(tag[ns:i])
		for i < len(tag) && isHTMLSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] != '=' {
			spans = append(spans, TagAttr{Name: name, Start: i, End: i})
			continue
		}
		i++
		for i < len(tag) && isHTMLSpace(tag[i]) {
			i++
		}
		if i < len(tag) && (tag[i] == '"' || tag[i] == '\'') {
			q := tag[i]
			vs := i + 1
			ve := strings.IndexByte(tag[vs:], q)
			if ve < 0 {
				ve = len(tag) - vs
			}
			spans = append(spans, TagAttr{Name: name, Start: vs, End: vs + ve, Quote: q})
			i = vs + ve + 1
			continue
		}
		vs := i
		for i < len(tag) && !isHTMLSpace(tag[i]) && tag[i] != '>' {
			i++
		}
		spans = append(spans, TagAttr{Name: name, Start: vs, End: i})
	}
	return spans
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == token {
			return true
		}
	}
	return false
}

// collapseSpace joins the words of s with single spaces and drops the
// invisible characters that masked inline tags.
func collapseSpace(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == maskRune3 || r == maskRune2 {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
