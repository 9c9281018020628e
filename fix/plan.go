package fix

import (
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/sources"
	"github.com/linkrot/linkrot/store"
)

// Copy is an archived copy of a page that a reference can point at.
type Copy struct {
	URL    string    // the copy, to open in a browser
	Time   time.Time // when it was captured; zero if unknown
	Source string    // "local", "wayback", "memento:<host>", "catalog"
}

// Edit is what is known about one URL occurrence: where it is, what the
// catalog made of it, and what the caller wants done with its link.
type Edit struct {
	Start, End int    // byte offsets of the raw URL text in the content
	Raw        string // the text expected there; a mismatch is an error
	URL        string // the URL as catalogued (repaired, with a scheme)
	Repaired   bool
	Repairs    []string // the repairs made, in sources' vocabulary
	Confidence float64
	Verified   bool // a check on the web settled the URL

	// Dead says the link is confirmed dead. Copy is the archived copy to
	// reference (nil: none known; NoCopy then says why, for the note).
	Dead   bool
	Copy   *Copy
	NoCopy string
	// MovedTo, when set, is the new URL to write in place of a moved link.
	MovedTo string
	// Cited is the copy that was cited, for a live link whose content
	// changed since (drifted or replaced): it is pointed at beside the
	// live URL, which stays (cited.go).
	Cited *Copy
}

// Splice replaces content[Start:End] (Old) with New. Start == End is an
// insertion.
type Splice struct {
	Start, End int
	Old, New   string
}

// Change is what fix does, or declines to do, at one occurrence.
type Change struct {
	Line    int    // 1-based line of the occurrence
	URL     string // the URL as catalogued
	Repair  string // the repaired URL text written over damaged text
	MovedTo string // the new URL written for a moved link
	Copy    *Copy  // the archived copy now referenced
	Cited   bool   // Copy is the cited version of a changed page, beside its live URL
	// Note says what was left alone and why; a Change can have both a note
	// and splices (a repair made, an archived reference not added).
	Note    string
	Splices []Splice // in content order; none when only a note
}

// Edits reports whether the change modifies the content.
func (c Change) Edits() bool { return len(c.Splices) > 0 }

// Plan decides the changes for one document: content in format, with one
// Edit per URL occurrence. It does no I/O. Changes come in content order;
// occurrences that need nothing give none. An edit whose offsets do not
// hold its raw text, or edits whose splices overlap, are errors: the
// catalog and the content disagree, and nothing must be written.
func Plan(content []byte, format sources.Format, edits []Edit) ([]Change, error) {
	return NewDocument(content, format).Plan(edits)
}

// Document is one document's content read once for planning: its format's
// structure (HTML tags, Markdown code and front matter) and line starts.
type Document struct {
	content string
	format  sources.Format
	lines   []int // offset of each line's first byte
	html    *htmlIndex
	md      *mdIndex
}

// NewDocument prepares content for planning.
func NewDocument(content []byte, format sources.Format) *Document {
	d := &Document{content: string(content), format: format, lines: []int{0}}
	for i := 0; i < len(d.content); i++ {
		if d.content[i] == '\n' {
			d.lines = append(d.lines, i+1)
		}
	}
	switch format {
	case sources.FormatHTML, sources.FormatBookmarks:
		d.html = indexHTML(d.content)
	case sources.FormatMarkdown:
		d.md = indexMarkdown(d.content)
	}
	return d
}

// Plan is the package-level Plan on a prepared document.
func (d *Document) Plan(edits []Edit) ([]Change, error) {
	sorted := slices.Clone(edits)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var out []Change
	for _, e := range sorted {
		c, ok, err := d.plan(e)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	if _, err := orderedSplices(d.content, out); err != nil {
		return nil, err
	}
	return out, nil
}

// WantsCopy reports whether a dead link at e would be given an archived
// reference if a copy were known: it is not referenced already, its place
// allows one, and its repair is not in doubt. Callers ask it before
// looking a copy up, so that a second run asks no archive anything.
func (d *Document) WantsCopy(e Edit) bool {
	e.Dead, e.Copy, e.MovedTo = true, &Copy{URL: "https://copy.invalid/"}, ""
	c, ok, err := d.plan(e)
	return err == nil && ok && c.Copy != nil
}

// WantsMove reports whether e would be rewritten to to if its link's
// move were followed: the note that suggests --moved is given only then.
func (d *Document) WantsMove(e Edit, to string) bool {
	e.Dead, e.Copy, e.MovedTo = false, nil, to
	c, ok, err := d.plan(e)
	return err == nil && ok && c.MovedTo != ""
}

// line returns the 1-based line of offset off.
func (d *Document) line(off int) int {
	return sort.Search(len(d.lines), func(i int) bool { return d.lines[i] > off })
}

// notation lists repairs that change how a URL is written but not which
// URL a reader gets: on their own they are no reason to touch a document.
var notation = map[string]bool{
	"added scheme https://":            true,
	"trimmed trailing punctuation":     true,
	"kept hyphen at break":             true,
	"percent-encoded stray characters": true,
	"resolved relative URL":            true,
}

const (
	repairRefanged = "refanged"
	repairScheme   = "added scheme https://"
	repairRelative = "resolved relative URL"
)

func (d *Document) plan(e Edit) (Change, bool, error) {
	if e.Start < 0 || e.End > len(d.content) || e.Start > e.End {
		return Change{}, false, fmt.Errorf("occurrence of %s at bytes %d-%d is outside the document (%d bytes)", e.URL, e.Start, e.End, len(d.content))
	}
	if d.content[e.Start:e.End] != e.Raw {
		return Change{}, false, fmt.Errorf("line %d: the text at bytes %d-%d is %q, not %q as catalogued",
			d.line(e.Start), e.Start, e.End, d.content[e.Start:e.End], e.Raw)
	}
	// Nothing but a web URL (or the local archive's own) is ever written
	// into a user's document: a public archive's answer or a redirect
	// target of "javascript:…" or "=cmd|…" is dropped here, whatever
	// the caller passed.
	if e.MovedTo != "" {
		if err := safeurl.Check(e.MovedTo); err != nil {
			safeurl.Warn(e.MovedTo, "moved-to URL of "+e.URL+" for fix", err)
			e.MovedTo = ""
		}
	}
	if e.Copy != nil {
		if err := safeurl.CheckLocal(e.Copy.URL); err != nil {
			safeurl.Warn(e.Copy.URL, "archived copy of "+e.URL+" for fix", err)
			e.Copy, e.NoCopy = nil, "the archived copy's URL is not a web URL, so it was not used"
		}
	}
	if e.Cited != nil && safeurl.CheckLocal(e.Cited.URL) != nil {
		e.Cited = nil
	}
	s := d.site(e)
	if s.place == placeAnnotation {
		return Change{}, false, nil // the copy or original inside a reference fix wrote
	}
	c := Change{Line: d.line(e.Start), URL: e.URL}
	target, real := d.repairTarget(e, s)
	if !real && !e.Dead && e.MovedTo == "" && e.Cited == nil {
		return Change{}, false, nil
	}
	switch {
	case s.place == placeLeave:
		c.Note = s.leave
		return c, true, nil
	case slices.Contains(e.Repairs, repairRefanged):
		// Defanged so that nobody follows it by accident: refanging it,
		// or citing a copy of it, would undo that.
		c.Note = "written defanged on purpose: left alone"
		return c, true, nil
	case real && e.Confidence < store.VerifyBelow && !e.Verified:
		c.Note = fmt.Sprintf("repair to %s left alone: confidence %.2f is below %.2f and the web has not confirmed it (`linkrot check` tries it)",
			e.URL, e.Confidence, store.VerifyBelow)
		return c, true, nil
	}

	if e.MovedTo != "" {
		c.MovedTo = e.MovedTo
		c.Splices = []Splice{d.splice(e.Start, e.End, s.escape(e.MovedTo))}
		return c, true, nil
	}
	fixed := e.Raw // the URL text as it should read, escaped for its place
	if real {
		fixed = s.escape(target)
		c.Repair = target
	}
	if e.Dead && !s.archived {
		switch {
		case s.why != "":
			c.Note = "dead; " + s.why
		case e.Copy == nil:
			c.Note = "dead, and no archived copy to point at"
			if e.NoCopy != "" {
				c.Note = "dead; " + e.NoCopy
			}
		default:
			c.Copy = e.Copy
			c.Splices = d.archiveSplices(e, s, fixed, real)
			return c, true, nil
		}
	}
	if e.Cited != nil && !e.Dead {
		sp, note := d.citedSplices(e, s, fixed, real)
		if sp != nil {
			c.Copy, c.Cited, c.Splices = e.Cited, true, sp
			return c, true, nil
		}
		if note != "" {
			c.Note = note
		}
	}
	if real {
		c.Splices = []Splice{d.splice(e.Start, e.End, fixed)}
	}
	return c, c.Note != "" || real, nil
}

func (d *Document) splice(start, end int, repl string) Splice {
	return Splice{Start: start, End: end, Old: d.content[start:end], New: repl}
}

// repairTarget returns the URL text a damaged occurrence should have and
// whether writing it is a real fix in this place (see the package doc).
func (d *Document) repairTarget(e Edit, s site) (string, bool) {
	if e.URL == "" || slices.Contains(e.Repairs, repairRelative) || slices.Contains(e.Repairs, repairRefanged) {
		return "", false
	}
	damage := e.Verified
	for _, r := range e.Repairs {
		if !notation[r] {
			damage = true
		}
	}
	if !damage {
		return "", false
	}
	target := e.URL
	if slices.Contains(e.Repairs, repairScheme) {
		// The text named only a host; it keeps doing so.
		target = strings.TrimPrefix(target, "https://")
	}
	return target, s.effective(e.Raw) != target
}

// archiveSplices writes the reference to e.Copy in the form of s's place;
// fixed is the occurrence's own text as it should read (repaired or not).
func (d *Document) archiveSplices(e Edit, s site, fixed string, real bool) []Splice {
	cp := e.Copy.URL
	switch s.place {
	case placeHTMLAttr:
		attrs := ` data-originalurl="` + html.EscapeString(e.URL) + `" data-versionurl="` + html.EscapeString(cp) + `"`
		if !e.Copy.Time.IsZero() {
			attrs += ` data-versiondate="` + e.Copy.Time.UTC().Format(time.DateOnly) + `"`
		}
		var out []Splice
		if real {
			out = append(out, d.splice(e.Start, e.End, fixed))
		}
		return append(out, d.splice(s.after, s.after, attrs))
	case placeHTMLText:
		return []Splice{d.splice(e.Start, e.End, fixed+" [archived: "+html.EscapeString(cp)+"]")}
	case placeMDInline:
		return []Splice{
			d.splice(e.Start, e.End, mdDestination(cp, s.angle)),
			d.splice(s.after, s.after, " (original: <"+e.URL+">)"),
		}
	case placeMDRefDef:
		return []Splice{
			d.splice(e.Start, e.End, mdDestination(cp, s.angle)),
			d.splice(s.after, s.after, ` "original: `+e.URL+`"`),
		}
	case placeMDAutolink:
		return []Splice{d.splice(e.Start-1, e.End+1, "<"+cp+"> (original: <"+e.URL+">)")}
	case placeMDBare:
		return []Splice{d.splice(e.Start, e.End, "<"+cp+"> (original: <"+e.URL+">)")}
	default: // plain text
		return []Splice{d.splice(e.Start, e.End, fixed+" [archived: "+cp+"]")}
	}
}

// mdDestination writes a link destination: inside <…> when the URL has
// characters that would end a bare one.
func mdDestination(u string, angle bool) string {
	if !angle && strings.ContainsAny(u, "() \t") {
		return "<" + u + ">"
	}
	return u
}

// orderedSplices returns every splice of changes in content order, after
// checking that each still holds its Old text and that none overlap. At
// one offset an insertion goes before a replacement that starts there (it
// ends what comes before, as " (original: …)" after a Markdown link
// followed at once by a bare URL); two insertions, or two replacements,
// starting at one offset overlap: their order would be a guess.
func orderedSplices(content string, changes []Change) ([]Splice, error) {
	var all []Splice
	for _, c := range changes {
		all = append(all, c.Splices...)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Start != all[j].Start {
			return all[i].Start < all[j].Start
		}
		return all[i].End == all[i].Start && all[j].End != all[j].Start
	})
	for i, s := range all {
		if s.Start < 0 || s.End > len(content) || s.Start > s.End || content[s.Start:s.End] != s.Old {
			return nil, fmt.Errorf("splice at bytes %d-%d does not match the content", s.Start, s.End)
		}
		if i == 0 {
			continue
		}
		p := all[i-1]
		insertThenReplace := p.Start == p.End && s.End > s.Start
		if s.Start < p.End || s.Start == p.Start && !insertThenReplace {
			return nil, fmt.Errorf("changes overlap at bytes %d-%d and %d-%d (a bug in fix)", p.Start, p.End, s.Start, s.End)
		}
	}
	return all, nil
}

// Apply returns content with the splices of changes made. Every splice
// is located in the original content, so the result is assembled in one
// pass over it, which is the same as applying them from the end of the
// file backwards: no splice moves another's offsets.
func Apply(content []byte, changes []Change) ([]byte, error) {
	all, err := orderedSplices(string(content), changes)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.Grow(len(content))
	at := 0
	for _, s := range all {
		b.Write(content[at:s.Start])
		b.WriteString(s.New)
		at = s.End
	}
	b.Write(content[at:])
	return []byte(b.String()), nil
}
