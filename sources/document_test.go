package sources

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A made-up article in the shape that started the project: title, byline,
// dateline, prose, and an "Original url:" whose URL a line wrap split.
const wrappedArticle = `Harbour Authority Plans Floating Breakwater For Winter Storms

By Our Coastal Correspondent

March 3, 2021

The harbour authority said on Wednesday that it would build a floating breakwater
before next winter, after two storms in January damaged the outer moorings.

Engineers expect the structure to cut wave height inside the harbour by half.

Original url:

https://news.example.com/2021/03/03/harbour-authority-plans-floating-breakwater-for-winter-stor ms-a81234
`

func TestSeedShapedArticleGetsRepairedSourceURL(t *testing.T) {
	doc, err := ExtractDocument("harbour.txt", []byte(wrappedArticle), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://news.example.com/2021/03/03/harbour-authority-plans-floating-breakwater-for-winter-storms-a81234"
	if doc.SourceURL != want {
		t.Fatalf("source URL = %q, want %q", doc.SourceURL, want)
	}
	if doc.Title != "Harbour Authority Plans Floating Breakwater For Winter Storms" {
		t.Errorf("title = %q", doc.Title)
	}
	if doc.Date != "2021-03-03" {
		t.Errorf("date = %q", doc.Date)
	}
	if len(doc.Occurrences) != 1 {
		t.Fatalf("got %d occurrences, want 1: %+v", len(doc.Occurrences), doc.Occurrences)
	}
	o := doc.Occurrences[0]
	if o.Role != RoleSource || !o.Repaired || o.Raw != wrappedArticle[o.Start:o.End] {
		t.Errorf("occurrence = %+v", o)
	}
	if !strings.HasSuffix(o.Raw, "stor ms-a81234") {
		t.Errorf("raw = %q, want the damaged text", o.Raw)
	}
	if len(o.Reasons) == 0 {
		t.Error("a repair must give its reasons")
	}
}

func TestDetectFormat(t *testing.T) {
	cases := []struct {
		name, content string
		want          Format
	}{
		{"a.txt", "hello https://example.org", FormatText},
		{"a.md", "# Title\n", FormatMarkdown},
		{"a.html", "just text", FormatHTML},
		{"saved.txt", "<!DOCTYPE html><html><body>x</body></html>", FormatHTML},
		{"noext", "<html><body>x</body></html>", FormatHTML},
		{"bookmarks.html", "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL>", FormatBookmarks},
		{"-", "<p>See <a href=\"https://example.org\">x</a></p>", FormatHTML},
		{"-", "plain words", FormatText},
	}
	for _, c := range cases {
		if got := DetectFormat(c.name, []byte(c.content)); got != c.want {
			t.Errorf("DetectFormat(%q, %q) = %s, want %s", c.name, c.content, got, c.want)
		}
	}
}

func TestBinaryIsRejected(t *testing.T) {
	_, err := ExtractDocument("x.bin", []byte("PK\x03\x04\x00\x00binary"), Options{})
	if err != ErrBinary {
		t.Fatalf("err = %v, want ErrBinary", err)
	}
}

func TestInvalidUTF8IsAWarningNotAStop(t *testing.T) {
	doc, err := ExtractDocument("latin1.txt", []byte("Caf\xe9 notes\nsee https://example.org/menu for prices\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "invalid UTF-8 at byte 3") {
		t.Errorf("warnings = %q", doc.Warnings)
	}
	if len(doc.Occurrences) != 1 || doc.Occurrences[0].URL != "https://example.org/menu" {
		t.Errorf("occurrences = %+v", doc.Occurrences)
	}
}

func TestHTMLDocument(t *testing.T) {
	const page = `<!DOCTYPE html>
<html><head><title>Notes &amp; Links</title>
<link rel="canonical" href="https://site.example.org/notes">
<meta property="article:published_time" content="2022-07-01T10:00:00Z">
<script>var u = "https://tracker.example.com/x.js";</script>
</head><body>
<p>See <a href="https://a.example.org/q?x=1&amp;y=2">this</a> and
<a href='/relative/page'>that</a>, or read https://b.example.org/page.</p>
<p><a href="https://c.example.org/">https://c.example.org/</a></p>
<blockquote cite="https://d.example.org/quote">…</blockquote>
<img src="https://e.example.org/i.png"><a href="mailto:someone@example.org">mail</a>
</body></html>`
	doc, err := ExtractDocument("page.html", []byte(page), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Notes & Links" || doc.Date != "2022-07-01" || doc.SourceURL != "https://site.example.org/notes" {
		t.Errorf("title %q date %q source %q", doc.Title, doc.Date, doc.SourceURL)
	}
	var got []string
	for _, o := range doc.Occurrences {
		got = append(got, string(o.Role)+" "+o.URL)
		if page[o.Start:o.End] != o.Raw {
			t.Errorf("%s: raw %q != input[%d:%d] %q", o.URL, o.Raw, o.Start, o.End, page[o.Start:o.End])
		}
		line := strings.Count(page[:o.Start], "\n") + 1
		if o.Line != line {
			t.Errorf("%s: line %d, want %d", o.URL, o.Line, line)
		}
	}
	want := []string{
		"source https://site.example.org/notes",
		"cited https://a.example.org/q?x=1&y=2",
		"cited https://site.example.org/relative/page",
		"cited https://b.example.org/page",
		"cited https://c.example.org/",
		"cited https://d.example.org/quote",
		"cited https://e.example.org/i.png",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBookmarks(t *testing.T) {
	const export = `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><A HREF="https://one.example.org/" ADD_DATE="1600000000">One</A>
    <DT><A HREF=https://two.example.org/path ADD_DATE="1600000001">Two</A>
</DL><p>`
	doc, err := ExtractDocument("bookmarks.html", []byte(export), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Format != FormatBookmarks || doc.Title != "Bookmarks" {
		t.Errorf("format %s title %q", doc.Format, doc.Title)
	}
	if len(doc.Occurrences) != 2 || doc.Occurrences[1].URL != "https://two.example.org/path" {
		t.Fatalf("occurrences = %+v", doc.Occurrences)
	}
}

func TestMarkdownFrontMatterAndLinks(t *testing.T) {
	const md = `---
title: "Field notes"
date: 2020-02-29
source: https://origin.example.org/field-notes
---

# Not the title

- [A link](https://a.example.org/x "with a title")
- <https://b.example.org/auto>

[ref]: https://c.example.org/ref
`
	doc, err := ExtractDocument("notes.md", []byte(md), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Field notes" || doc.Date != "2020-02-29" || doc.SourceURL != "https://origin.example.org/field-notes" {
		t.Errorf("title %q date %q source %q", doc.Title, doc.Date, doc.SourceURL)
	}
	var urls []string
	for _, o := range doc.Occurrences {
		urls = append(urls, o.URL)
	}
	want := "https://origin.example.org/field-notes https://a.example.org/x https://b.example.org/auto https://c.example.org/ref"
	if strings.Join(urls, " ") != want {
		t.Errorf("urls = %v", urls)
	}
}

func TestSourceLabels(t *testing.T) {
	cases := []struct {
		name, text, want string
	}{
		{"same line", "Title\n\nSource: https://s.example.org/a\n", "https://s.example.org/a"},
		{"label above", "Title\n\nbody https://c.example.org/x\n\nOriginal URL:\nhttps://s.example.org/b\n", "https://s.example.org/b"},
		{"markdown bold", "Title\n\n**Source:** [the story](https://s.example.org/c)\n", "https://s.example.org/c"},
		{"weak label mid-document is a citation", "Title\n" + strings.Repeat("prose line\n", 40) + "URL: https://cited.example.org/\n" + strings.Repeat("more prose\n", 10), ""},
		{"no label", "Title\n\nsee https://c.example.org/x\n", ""},
	}
	for _, c := range cases {
		doc, err := ExtractDocument("x.txt", []byte(c.text), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if doc.SourceURL != c.want {
			t.Errorf("%s: source = %q, want %q", c.name, doc.SourceURL, c.want)
		}
	}
}

func TestFindDate(t *testing.T) {
	cases := map[string]string{
		"Published September 29, 2014 in Moscow": "2014-09-29",
		"Sept. 3 2019":                           "2019-09-03",
		"23 September 2014: a note":              "2014-09-23",
		"updated 2021-12-05T10:00:00Z":           "2021-12-05",
		"February 30, 2020":                      "",
		"nothing here":                           "",
		"On 1 May 2020, then on June 2, 2021":    "2020-05-01",
	}
	for in, want := range cases {
		if got := findDate(in); got != want {
			t.Errorf("findDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOptionsOverrideEvidence(t *testing.T) {
	// Without the title, "stat e-a1" cannot be told from prose after a URL;
	// the title given on the command line supplies the evidence.
	text := "https://news.example.com/2014/09/29/leaders-agree-to-fight-islamic-stat e-a39862\n"
	doc, err := ExtractDocument("-", []byte(text), Options{Title: "Leaders Agree to Fight Islamic State", Date: "2014-09-29"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Occurrences) != 1 || doc.Occurrences[0].URL != "https://news.example.com/2014/09/29/leaders-agree-to-fight-islamic-state-a39862" {
		t.Fatalf("occurrences = %+v", doc.Occurrences)
	}
}

func TestMailAddressOrOtherURIIsNeverJoined(t *testing.T) {
	for _, next := range []string{"mailto:desk@example.org", "editor@example.org", "tel:+441234567"} {
		text := "Contact\n\nsee https://news.example.org/contact/\n" + next + "\n"
		occs := ExtractText(text, Evidence{})
		if len(occs) == 0 || occs[0].URL != "https://news.example.org/contact/" || len(occs[0].Alternatives) != 0 {
			t.Errorf("%s: %+v", next, occs)
		}
	}
}

func TestWordBreakInsideAURLInHTMLText(t *testing.T) {
	page := "<html><body><p>See https://www.example.org/a-very-long-<wbr>path/to/<WBR/>page.html today.</p></body></html>"
	doc, err := ExtractDocument("p.html", []byte(page), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Occurrences) != 1 {
		t.Fatalf("occurrences %+v", doc.Occurrences)
	}
	o := doc.Occurrences[0]
	if o.URL != "https://www.example.org/a-very-long-path/to/page.html" {
		t.Errorf("url %q", o.URL)
	}
	if o.Raw != page[o.Start:o.End] || !strings.Contains(o.Raw, "<wbr>") {
		t.Errorf("raw %q must be the original text", o.Raw)
	}
	for n := 5; n < 12; n++ {
		if got := len(invisible(n)); got != n {
			t.Errorf("invisible(%d) has %d bytes", n, got)
		}
	}
}

// TestExtractDocumentContextStops checks that a cancelled context stops
// extraction of a large one-line page part-way and returns its error, for
// each format's loop.
func TestExtractDocumentContextStops(t *testing.T) {
	for _, tc := range []struct {
		name string
		page []byte
	}{{"page.html", oneLinePage(20_000)}, {"page.txt", oneLineText(20_000)}} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		doc, err := ExtractDocumentContext(ctx, tc.name, tc.page, Options{})
		if !errors.Is(err, context.Canceled) || len(doc.Occurrences) != 0 {
			t.Errorf("%s: err %v with %d occurrences, want context.Canceled and none", tc.name, err, len(doc.Occurrences))
		}
		opts := Options{ctx: &stopAfter{Context: context.Background(), n: 2}}
		doc, err = ExtractDocument(tc.name, tc.page, opts)
		if !errors.Is(err, context.Canceled) || len(doc.Occurrences) != 0 {
			t.Errorf("%s: cancelled mid-way: err %v with %d occurrences", tc.name, err, len(doc.Occurrences))
		}
		doc, err = ExtractDocumentContext(context.Background(), tc.name, tc.page, Options{})
		if err != nil || len(doc.Occurrences) < 20_000 {
			t.Errorf("%s: uncancelled: err %v, %d occurrences", tc.name, err, len(doc.Occurrences))
		}
	}
}

// stopAfter is a context whose Err turns to Canceled after n looks, so a
// test can cancel in the middle of a document without timing.
type stopAfter struct {
	context.Context
	n int
}

func (s *stopAfter) Err() error {
	if s.n <= 0 {
		return context.Canceled
	}
	s.n--
	return nil
}
