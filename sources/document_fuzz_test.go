package sources

import (
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// FuzzExtractDocument feeds any bytes through format detection and every
// document reader (text, Markdown, HTML, bookmarks): no panic, offsets
// inside the input, raw text equal to the input at its offsets, no
// whitespace in a URL, and every URL's fetch form parses.
//
//	go test -fuzz=FuzzExtractDocument ./sources
func FuzzExtractDocument(f *testing.F) {
	for _, s := range []string{
		wrappedArticle,
		"<!DOCTYPE html><title>T</title><link rel=canonical href='https://a.example/'><a href=\"/x?a=1&amp;b=2\">x</a> https://b.example/y.",
		"<!DOCTYPE NETSCAPE-Bookmark-file-1><DT><A HREF=https://c.example/ ADD_DATE=1>c</A>",
		"---\ntitle: x\nurl: https://d.example/\n---\n# H\n[a](https://e.example/ \"t\")\n[r]: https://f.example/\n",
		"<p><a href=\"", "<a href='https://x.example/\n", "\xff\xfe<html>https://g.example/\xff",
	} {
		f.Add("doc.txt", []byte(s))
		f.Add("doc.html", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, content []byte) {
		doc, err := ExtractDocument(name, content, Options{})
		if err != nil {
			return // binary input
		}
		for _, o := range doc.Occurrences {
			if o.Start < 0 || o.End < o.Start || o.End > len(content) {
				t.Fatalf("span [%d,%d) outside %d bytes", o.Start, o.End, len(content))
			}
			if string(content[o.Start:o.End]) != o.Raw {
				t.Fatalf("raw %q != input %q", o.Raw, content[o.Start:o.End])
			}
			if o.Line < 1 || o.Column < 1 {
				t.Fatalf("position %d:%d", o.Line, o.Column)
			}
			u, err := FetchURL(o.URL)
			if err != nil {
				t.Fatalf("URL %q has no fetch form: %v", o.URL, err)
			}
			if _, err := url.Parse(u); err != nil {
				t.Fatalf("URL %q (fetch form %q) does not parse: %v", o.URL, u, err)
			}
			if strings.ContainsFunc(o.URL, unicode.IsSpace) {
				t.Fatalf("URL %q holds whitespace", o.URL)
			}
		}
	})
}
