package sources

import (
	"html"
	"net/url"
	"sort"
	"strings"

	xhtml "golang.org/x/net/html"
)

// urlAttrs names, per element, the attributes that hold a reference.
var urlAttrs = map[string]string{
	"a": "href", "area": "href",
	"img": "src", "iframe": "src", "embed": "src", "source": "src", "video": "src",
	"audio": "src", "track": "src", "script": "src",
	"blockquote": "cite", "q": "cite", "del": "cite", "ins": "cite",
}

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
	// A <wbr> inside a URL in text splits it into two text tokens; it is
	// replaced by invisible characters of the same byte length, which the
	// URL repairer removes, so the URL reads whole and offsets still point
	// into the original.
	text := maskWordBreaks(original)
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
				if s, ok := get("href"); ok && hasToken(value("rel"), "canonical") {
					attrs = append(attrs, htmlAttr{start: start + s.Start, end: start + s.End, raw: raw[s.Start:s.End], source: true})
					canonical = strings.TrimSpace(value("href"))
				}
			case "meta":
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
			if attr, ok := urlAttrs[tag]; ok {
				if s, ok := get(attr); ok {
					attrs = append(attrs, htmlAttr{start: start + s.Start, end: start + s.End, raw: raw[s.Start:s.End]})
					if tag == "a" {
						anchor, _, _ = CleanAttrURL(raw[s.Start:s.End])
					}
				}
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

// maskWordBreaks replaces every <wbr>, <wbr/> and <wbr /> tag with zero-width
// spaces and soft hyphens of exactly the tag's byte length.
func maskWordBreaks(text string) string {
	lower := strings.ToLower(text)
	if !strings.Contains(lower, "<wbr") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for i := 0; ; {
		j := strings.Index(lower[i:], "<wbr")
		if j < 0 {
			break
		}
		start := i + j
		end := start + len("<wbr")
		for end < len(lower) && (lower[end] == ' ' || lower[end] == '/') {
			end++
		}
		if end >= len(lower) || lower[end] != '>' {
			i = start + 1
			continue
		}
		end++
		b.WriteString(text[last:start])
		b.WriteString(invisible(end - start))
		last, i = end, end
	}
	b.WriteString(text[last:])
	return b.String()
}

// invisible returns n bytes (n ≥ 5) of U+200B (3 bytes) and U+00AD
// (2 bytes).
func invisible(n int) string {
	var b strings.Builder
	for n > 0 {
		if n%2 == 1 || n == 3 {
			b.WriteString("\u200b")
			n -= 3
		} else {
			b.WriteString("\u00ad")
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

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
