package sources

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzExtractText checks the extractor's contract on arbitrary input: no
// panic, spans inside the text, URLs that parse, and URLs that are stable
// (extracting a chosen URL's own text finds exactly that URL).
func FuzzExtractText(f *testing.F) {
	for _, fx := range fixtures {
		f.Add(fx.text)
	}
	f.Add(seedArticle)
	f.Fuzz(func(t *testing.T, text string) {
		occs := ExtractText(text, Evidence{Title: "Fuzzing the State of Effort", Date: "2014-09-29"})
		prev := 0
		for _, o := range occs {
			if o.Start < prev || o.Start > o.End || o.End > len(text) {
				t.Fatalf("span [%d,%d) after %d in %d bytes", o.Start, o.End, prev, len(text))
			}
			prev = o.End
			if text[o.Start:o.End] != o.Raw {
				t.Fatalf("raw %q != text %q", o.Raw, text[o.Start:o.End])
			}
			full := o.URL
			if !strings.Contains(o.URL, "://") {
				full = "http://" + o.URL
			}
			if _, err := url.Parse(full); err != nil {
				t.Fatalf("%q does not parse: %v", o.URL, err)
			}
			again := ExtractText(o.URL, Evidence{})
			if len(again) != 1 || again[0].URL != o.URL {
				got := make([]string, len(again))
				for i, a := range again {
					got[i] = a.URL
				}
				t.Fatalf("re-extracting %q gives %q (from raw %q)", o.URL, got, o.Raw)
			}
		}
	})
}
