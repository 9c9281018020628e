package sources

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// documentedRepairs are the Repairs values the README lists; a URL that
// differs from its text must say which of them made it.
var documentedRepairs = func() map[string]bool {
	m := map[string]bool{
		"joined line wrap": true, "removed spaces inside URL": true, "joined nested URL": true,
		"removed inserted hyphen": true, "kept hyphen at break": true, "trimmed trailing punctuation": true,
	}
	for _, r := range repairNames {
		m[r.name] = true
	}
	return m
}()

// FuzzExtractText checks the extractor's contract on arbitrary input: no
// panic; every span is the text's own bytes; a URL that differs from its
// span names documented repairs; no URL holds whitespace; net/url parses
// every URL's fetch form; and URLs are stable (extracting a chosen URL's
// own text finds exactly that URL).
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
			if strings.ContainsFunc(o.URL, unicode.IsSpace) {
				t.Fatalf("URL %q holds whitespace", o.URL)
			}
			if !o.Repaired && o.URL != o.Raw {
				t.Fatalf("unrepaired URL %q differs from its text %q", o.URL, o.Raw)
			}
			for _, r := range o.Repairs {
				if !documentedRepairs[r] {
					t.Fatalf("repair %q is not a documented one", r)
				}
			}
			fetch, err := FetchURL(o.URL)
			if err != nil {
				t.Fatalf("%q has no fetch form: %v", o.URL, err)
			}
			if _, err := url.Parse(fetch); err != nil {
				t.Fatalf("%q (fetch form %q) does not parse: %v", o.URL, fetch, err)
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
