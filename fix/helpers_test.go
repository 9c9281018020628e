package fix

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/sources"
)

// link is what a test says about one URL's link: dead (with the copy to
// cite, if any), moved, or verified.
type link struct {
	dead     bool
	copy     string
	movedTo  string
	verified bool
}

var copyTime = time.Date(2014, 9, 1, 12, 0, 0, 0, time.UTC)

// waybackCopy is the Wayback URL of url captured at copyTime.
func waybackCopy(url string) string {
	return "https://web.archive.org/web/" + copyTime.Format("20060102150405") + "/" + url
}

// extract reads content as the named document and returns its format and
// the occurrences as the catalog holds them (ingest's conversion: a URL
// without a scheme gets https://, and says so).
func extract(t *testing.T, name, content string) (sources.Format, []sources.Occurrence) {
	t.Helper()
	doc, err := sources.ExtractDocument(name, []byte(content), sources.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range doc.Occurrences {
		if !strings.Contains(o.URL, "://") {
			o.URL = "https://" + o.URL
			o.Repaired = true
			o.Repairs = append(o.Repairs[:len(o.Repairs):len(o.Repairs)], repairScheme)
			doc.Occurrences[i] = o
		}
	}
	return doc.Format, doc.Occurrences
}

// editsFor builds the edits of content as Run would, with links' states
// from links (by catalogued URL); a dead link is given its copy only where
// the document wants one, as Run does.
func editsFor(t *testing.T, name, content string, links map[string]link) (*Document, []Edit) {
	t.Helper()
	format, occs := extract(t, name, content)
	d := NewDocument([]byte(content), format)
	var edits []Edit
	for _, o := range occs {
		e := Edit{Start: o.Start, End: o.End, Raw: o.Raw, URL: o.URL, Repaired: o.Repaired,
			Repairs: o.Repairs, Confidence: o.Confidence}
		l := links[o.URL]
		e.Verified = l.verified
		e.MovedTo = l.movedTo
		if l.dead {
			e.Dead = true
			if l.copy != "" && d.WantsCopy(e) {
				e.Copy = &Copy{URL: l.copy, Time: copyTime, Source: "wayback"}
			}
		}
		edits = append(edits, e)
	}
	return d, edits
}

// fixText plans and applies the changes to content.
func fixText(t *testing.T, name, content string, links map[string]link) (string, []Change) {
	t.Helper()
	d, edits := editsFor(t, name, content, links)
	changes, err := d.Plan(edits)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Apply([]byte(content), changes)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), changes
}

// The reference forms, as they read once URLs are masked (see maskURLs).
var annotationForms = []*regexp.Regexp{
	regexp.MustCompile(` \[archived: \x00\]`),
	regexp.MustCompile(` \(original: <\x00>\)`),
	regexp.MustCompile(` "original: \x00"`),
	regexp.MustCompile(` data-originalurl="[^"]*" data-versionurl="[^"]*"( data-versiondate="\d{4}-\d\d-\d\d")?`),
}

// maskURLs replaces every URL span the extractor finds in text (read as
// a document named name) by one NUL, removes the reference forms fix
// adds, and makes an autolink of a masked URL a bare one, which is what
// fix turns a bare Markdown URL into. Two texts whose masks are equal
// differ only inside URL spans.
func maskURLs(t *testing.T, name, text string) string {
	t.Helper()
	_, occs := extract(t, name, text)
	var b strings.Builder
	at := 0
	for _, o := range occs {
		b.WriteString(text[at:o.Start])
		b.WriteByte(0)
		at = o.End
	}
	b.WriteString(text[at:])
	s := b.String()
	for _, re := range annotationForms {
		s = re.ReplaceAllString(s, "")
	}
	if strings.HasSuffix(name, ".md") {
		s = strings.ReplaceAll(s, "<\x00>", "\x00")
	}
	return s
}
