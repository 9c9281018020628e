package fix

import (
	"html"
	"strings"

	"github.com/linkrot/linkrot/sources"
)

// place is where in a document's syntax an occurrence is; it decides what
// "the URL as written" means and which reference form fits.
type place int

const (
	placeText       place = iota // plain text
	placeHTMLText                // a bare URL in HTML text content
	placeHTMLAttr                // an HTML attribute value
	placeMDBare                  // a bare URL in Markdown prose
	placeMDAutolink              // <URL> in Markdown
	placeMDInline                // the destination of [text](URL)
	placeMDRefDef                // the destination of [label]: URL
	placeMDLinkText              // URL as the text of [URL](…)
	placeMDOther                 // front matter, inline HTML: repairable, nothing added
	placeLeave                   // code, or a place this reading cannot tell: left alone
	placeAnnotation              // part of a reference fix wrote: left alone, silently
)

// site is an occurrence's place with what the forms need.
type site struct {
	place    place
	archived bool   // the occurrence already references an archived copy
	cited    bool   // the occurrence already points at its cited version
	why      string // why no archived reference can be added here; "" if one can
	leave    string // placeLeave: why nothing at all is done here
	after    int    // where the reference's trailing part is inserted
	angle    bool   // Markdown destination written inside <…>
}

// Markers of the reference forms (see the package doc). Recognising them
// is what makes a second run change nothing.
const (
	textArchived = " [archived: "
	textCopyLead = "[archived: "
	mdOriginal   = " (original: <"
	mdOrigLead   = "(original: <"
	mdTitleLead  = `"original: `
)

// effective is the URL a reader of the document gets from raw text in this
// place: what a repair has to differ from to be worth writing.
func (s site) effective(raw string) string {
	switch s.place {
	case placeText:
		return raw // nothing decodes plain text
	case placeHTMLAttr:
		// Browsers decode entities, then the URL parser trims C0 controls
		// and spaces and drops tabs and newlines anywhere.
		v := strings.Trim(html.UnescapeString(raw), "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\v\f\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
		return strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(v)
	default:
		// HTML text and Markdown (CommonMark) decode entity references.
		return html.UnescapeString(raw)
	}
}

// escape writes URL text for this place.
func (s site) escape(u string) string {
	switch s.place {
	case placeHTMLAttr, placeHTMLText:
		return html.EscapeString(u)
	}
	return u
}

// site finds where e is in the document's syntax.
func (d *Document) site(e Edit) site {
	switch d.format {
	case sources.FormatHTML, sources.FormatBookmarks:
		return d.htmlSite(e)
	case sources.FormatMarkdown:
		return d.mdSite(e)
	}
	return d.textSite(e)
}

func (d *Document) textSite(e Edit) site {
	c := d.content
	switch {
	case strings.HasSuffix(c[:e.Start], textCopyLead), strings.HasSuffix(c[:e.Start], textCitedLead):
		return site{place: placeAnnotation}
	case strings.HasPrefix(c[e.End:], textArchived):
		return site{place: placeText, archived: true}
	case strings.HasPrefix(c[e.End:], textCited):
		return site{place: placeText, cited: true}
	}
	return site{place: placeText}
}

func (d *Document) htmlSite(e Edit) site {
	c := d.content
	t, inTag := d.html.tagAt(e.Start)
	if !inTag {
		s := d.textSite(e)
		if s.place == placeText {
			s.place = placeHTMLText
		}
		return s
	}
	a, ok := t.attrAt(e.Start, e.End)
	if !ok {
		// Inside a tag but not a whole attribute value: something the
		// extractor found that this reading cannot place. Touch nothing.
		return site{place: placeLeave, leave: "not a whole attribute value: left alone"}
	}
	s := site{place: placeHTMLAttr, after: e.End}
	if a.quote != 0 && e.End < len(c) && c[e.End] == a.quote {
		s.after = e.End + 1
	}
	switch {
	case t.has("data-versionurl"):
		s.archived = true
	case a.name != "href" || (t.name != "a" && t.name != "area"):
		s.why = "<" + t.name + " " + a.name + "> cannot carry an archived copy (Robust Links are for <a href>): left alone"
	}
	return s
}

func (d *Document) mdSite(e Edit) site {
	c, start, end := d.content, e.Start, e.End
	m := d.md
	if m.inCode(c, start) {
		return site{place: placeLeave, leave: "in code: left alone"}
	}
	before, rest := c[:start], c[end:]
	if strings.HasSuffix(before, mdOrigLead) || strings.HasSuffix(before, mdTitleLead) {
		return site{place: placeAnnotation} // the original, noted beside its copy
	}
	if strings.HasSuffix(before, mdCitedLead) {
		return site{place: placeAnnotation} // the cited version beside a live link
	}
	if m.inFrontMatter(start) {
		return site{place: placeMDOther, why: "in front matter: left alone"}
	}
	if m.inHTMLBlock(start) {
		return site{place: placeMDOther, why: "in an HTML block: left alone"}
	}
	at := func(i int) byte {
		if i < 0 || i >= len(c) {
			return 0
		}
		return c[i]
	}
	// Inline HTML: an attribute value, where added text would break the tag.
	if p := at(start - 1); p == '=' || (p == '"' || p == '\'') && at(start-2) == '=' {
		return site{place: placeMDOther, why: "in inline HTML: left alone"}
	}
	if at(start-1) == '[' && (strings.HasPrefix(rest, "](") || strings.HasPrefix(rest, "][")) {
		// The link's text; its destination carries the reference.
		return site{place: placeMDLinkText, archived: true}
	}
	angle := at(start-1) == '<' && at(end) == '>'
	destStart := start
	if angle {
		destStart--
	}
	if at(destStart-1) == '(' && at(destStart-2) == ']' {
		s := site{place: placeMDInline, angle: angle}
		close, ok := mdCloseParen(c, end, angle)
		if !ok {
			return site{place: placeMDOther, why: "the Markdown link around it could not be read: left alone"}
		}
		if strings.HasPrefix(c[close+1:], mdOriginal) {
			return site{place: placeAnnotation} // the copy, with its original noted
		}
		s.after = close + 1
		s.cited = strings.HasPrefix(c[s.after:], mdCited)
		return s
	}
	if lead := c[d.lines[d.line(start)-1]:destStart]; isRefDefLead(lead) {
		s := site{place: placeMDRefDef, angle: angle, after: end}
		if angle {
			s.after = end + 1
		}
		tail := c[s.after:]
		if i := strings.IndexByte(tail, '\n'); i >= 0 {
			tail = tail[:i]
		}
		switch t := strings.TrimRight(tail, " \t\r"); {
		case strings.HasPrefix(t, " "+mdTitleLead):
			return site{place: placeAnnotation}
		case t != "":
			s.why = "the reference definition has a title already: left alone"
		case strings.Contains(e.URL, `"`):
			s.why = "the URL has a quote, which cannot go in a title: left alone"
		}
		return s
	}
	if angle {
		if strings.HasPrefix(c[end+1:], mdOriginal) {
			return site{place: placeAnnotation}
		}
		return site{place: placeMDAutolink, cited: strings.HasPrefix(c[end+1:], mdCited)}
	}
	return site{place: placeMDBare, cited: strings.HasPrefix(rest, mdCited)}
}

// mdCloseParen finds the ')' that closes an inline link whose destination
// ends at end (before the '>' when angle): an optional title in quotes or
// parentheses may come first. ok is false when the text does not read as
// a link, so that nothing is inserted in the wrong place.
func mdCloseParen(c string, end int, angle bool) (int, bool) {
	i := end
	if angle {
		i++
	}
	skip := func() {
		for i < len(c) && (c[i] == ' ' || c[i] == '\t' || c[i] == '\n' || c[i] == '\r') {
			i++
		}
	}
	skip()
	if i < len(c) && (c[i] == '"' || c[i] == '\'' || c[i] == '(') && i > end {
		closer := c[i]
		if closer == '(' {
			closer = ')'
		}
		for i++; i < len(c) && c[i] != closer; i++ {
			if c[i] == '\\' {
				i++
			}
		}
		if i >= len(c) {
			return 0, false
		}
		i++
		skip()
	}
	if i < len(c) && c[i] == ')' {
		return i, true
	}
	return 0, false
}

// isRefDefLead reports whether lead, the text from the start of a line to
// a destination, is the start of a reference definition: up to three
// spaces, "[label]:" and blanks.
func isRefDefLead(lead string) bool {
	t := strings.TrimLeft(lead, " ")
	if len(lead)-len(t) > 3 || !strings.HasPrefix(t, "[") {
		return false
	}
	for i := 1; i < len(t); i++ {
		switch t[i] {
		case '\\':
			i++
		case '[':
			return false
		case ']':
			if i == 1 || i+1 >= len(t) || t[i+1] != ':' {
				return false
			}
			return strings.Trim(t[i+2:], " \t") == ""
		}
	}
	return false
}
