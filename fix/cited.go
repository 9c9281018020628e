package fix

import (
	"context"
	"html"
	"time"

	"github.com/linkrot/linkrot/store"
)

// A citation whose page still answers but no longer says what was cited
// (issue 15: drifted, or replaced by something else) keeps its live URL
// and gains a pointer to the copy that was cited, Robust Links style:
// data-versionurl and data-versiondate on an HTML <a href>, a
// "(cited version)" link after a Markdown link, "[cited version: …]"
// after a URL in text.

// Markers of the cited-version forms; recognising them is what makes a
// second run change nothing.
const (
	mdCited       = " ([cited version](<"
	mdCitedLead   = "([cited version](<"
	textCited     = " [cited version: "
	textCitedLead = "[cited version: "
)

// citedSplices writes the pointer to e.Cited in the form of s's place.
// Without splices, note says why nothing was added ("" when the place
// already has one, or takes none silently).
func (d *Document) citedSplices(e Edit, s site, fixed string, real bool) ([]Splice, string) {
	if s.archived || s.cited {
		return nil, ""
	}
	if s.why != "" {
		return nil, "content changed since cited; " + s.why
	}
	cp := e.Cited.URL
	var out []Splice
	if real {
		out = append(out, d.splice(e.Start, e.End, fixed))
	}
	switch s.place {
	case placeHTMLAttr:
		attrs := ` data-versionurl="` + html.EscapeString(cp) + `"`
		if !e.Cited.Time.IsZero() {
			attrs += ` data-versiondate="` + e.Cited.Time.UTC().Format(time.DateOnly) + `"`
		}
		return append(out, d.splice(s.after, s.after, attrs)), ""
	case placeHTMLText:
		return append(out, d.splice(e.End, e.End, textCited+html.EscapeString(cp)+"]")), ""
	case placeText:
		return append(out, d.splice(e.End, e.End, textCited+cp+"]")), ""
	case placeMDInline:
		return append(out, d.splice(s.after, s.after, mdCited+cp+">))")), ""
	case placeMDAutolink:
		return append(out, d.splice(e.End+1, e.End+1, mdCited+cp+">))")), ""
	case placeMDBare:
		return append(out, d.splice(e.End, e.End, mdCited+cp+">))")), ""
	case placeMDRefDef:
		return nil, "content changed since cited; a reference definition has no room for the cited version's link: left alone"
	}
	return nil, ""
}

// driftLookup is the catalog's latest content verdict of a link;
// *store.SQLite has it. A catalog without it gives no cited versions.
type driftLookup interface {
	LatestDrift(ctx context.Context, linkURL string) (store.Drift, error)
}

// citedCopy is the copy a changed link was cited as, under LocalBase; nil
// when the link has not changed, was never compared with a copy, or the
// catalog keeps no verdicts. why is set when it changed but has no URL
// to point at.
func (r *runner) citedCopy(ctx context.Context, o store.DocOccurrence) (c *Copy, why string) {
	dl, ok := r.cat.(driftLookup)
	if !ok {
		return nil, ""
	}
	if a, ok := r.cited[o.URL]; ok {
		return a.copy, a.why
	}
	var a remoteAnswer
	d, err := dl.LatestDrift(ctx, o.URL)
	switch {
	case err != nil || !(d.Drifted || d.Replaced) || d.ReferenceSnapshotID == 0:
	case r.opts.LocalBase == "":
		a.why = "content changed since cited; without --local-base (or web.base_url) the cited copy has no URL to point at"
	default:
		a.copy = &Copy{URL: LocalCopyURL(r.opts.LocalBase, d.ReferenceCapturedAt, o.URL), Time: d.ReferenceCapturedAt, Source: "local"}
	}
	r.cited[o.URL] = a
	return a.copy, a.why
}
