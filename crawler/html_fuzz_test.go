package crawler

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeHTML: whatever bytes and Content-Type a server sends, the
// decoded prefix is valid UTF-8 within prefixBytes, and parsing it neither
// panics nor yields a title or heading past their bounds.
func FuzzDecodeHTML(f *testing.F) {
	f.Add([]byte("<html><head><title>Page not found</title></head><body><h1>Oops</h1><p>Gone.</p></body></html>"), "text/html; charset=utf-8")
	f.Add([]byte("<meta charset=\"windows-1251\"><title>\xcd\xee\xe2\xee\xf1\xf2\xe8</title>"), "text/html")
	f.Add([]byte("\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00"), "")
	f.Add([]byte("<title>caf\xe9</title><script>var x='<title>no</title>'</script>"), "text/html; charset=iso-8859-1")
	f.Add([]byte("\xc3\x28 invalid utf-8 <h1>\xe2\x82</h1>"), "text/html; charset=utf-8")
	f.Add([]byte("<svg><title>inside svg</title></svg><title>real</title>"), "application/xhtml+xml; charset=bogus")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		out, _ := decodeHTML(body, ct)
		if len(out) > prefixBytes {
			t.Fatalf("decoded %d bytes, over %d", len(out), prefixBytes)
		}
		if !utf8.Valid(out) {
			t.Fatalf("decoded prefix is not UTF-8: %q", out)
		}
		for _, full := range []bool{false, true} {
			pg := parsePage(out, full)
			if len(pg.title) > titleMax+len("…") || len(pg.h1) > titleMax+len("…") {
				t.Fatalf("title %d bytes, heading %d bytes", len(pg.title), len(pg.h1))
			}
			if len(pg.words) > maxWords {
				t.Fatalf("%d words", len(pg.words))
			}
		}
	})
}

// FuzzNotFoundTitle holds notFoundTitle's shortcut (mentionsNotFound) to
// the segment rules it skips: it may only rule out titles they reject.
func FuzzNotFoundTitle(f *testing.F) {
	for _, s := range []string{"404 - Page Not Found | Example", "Oops! That page can’t be found.", "404 Media", "Error 404: not found", "Seite nicht gefunden – Beispiel", "ページが見つかりません", "About us", "Not Found"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		folded := quoteFolder.Replace(strings.ToLower(collapse(title)))
		if got, want := notFoundTitle(title), folded != "" && notFoundSegments(folded); got != want {
			t.Errorf("notFoundTitle(%q) = %v, the segment rules say %v", title, got, want)
		}
	})
}
