package fix

import (
	"strings"
	"testing"

	"github.com/linkrot/linkrot/sources"
)

// FuzzPlan: whatever the document, planning with every link dead and a
// copy for each never fails or panics, and a second run over the result
// (its links in the same states) changes nothing.
func FuzzPlan(f *testing.F) {
	for name, content := range fixtures {
		f.Add(name, content)
	}
	f.Add("a.md", "[a](https://x.example.com/a)https://y.example.com/b <https://z.example.com/>")
	f.Add("a.html", `<a href=https://x.example.com/a/>x</a> https://y.example.com/&amp;`)
	f.Fuzz(func(t *testing.T, name, content string) {
		if !strings.HasSuffix(name, ".md") && !strings.HasSuffix(name, ".html") {
			name = "a.txt"
		}
		if sources.IsBinary([]byte(content)) {
			return // not a document: ingest never catalogs it
		}
		links := map[string]link{}
		_, occs := extract(t, name, content)
		for _, o := range occs {
			links[o.URL] = link{dead: true, copy: waybackCopy(o.URL), verified: true}
		}
		d, edits := editsFor(t, name, content, links)
		changes, err := d.Plan(edits)
		if err != nil {
			t.Fatalf("plan: %v", err)
		}
		out, err := Apply([]byte(content), changes)
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		d2, edits2 := editsFor(t, name, string(out), links)
		changes2, err := d2.Plan(edits2)
		if err != nil {
			t.Fatalf("second plan: %v", err)
		}
		for _, c := range changes2 {
			if c.Edits() {
				t.Fatalf("second run edits %+v\nfirst result:\n%q", c, out)
			}
		}
	})
}
