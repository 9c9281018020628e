package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// checkOccurrences holds for every reader: occurrences in order, each raw
// span the text at its offsets (for formats read from their bytes), lines
// and columns 1-based.
func checkOccurrences(t *testing.T, text string, doc Document, rawIsText bool) {
	t.Helper()
	prev := 0
	for i, o := range doc.Occurrences {
		if o.Start < prev || o.End < o.Start || o.Line < 1 || o.Column < 1 {
			t.Fatalf("occurrence %d out of order or badly placed: %+v", i, o)
		}
		prev = o.Start
		if rawIsText && (o.End > len(text) || text[o.Start:o.End] != o.Raw) {
			t.Fatalf("occurrence %d: raw %q is not the text at %d:%d", i, o.Raw, o.Start, o.End)
		}
		if o.URL == "" {
			t.Fatalf("occurrence %d has no URL", i)
		}
	}
}

// fuzzStructured runs one structured reader on fuzzed text, seeded from the
// table test's files.
func fuzzStructured(f *testing.F, read func(string, *Document, Options) error, seeds ...string) {
	for _, s := range seeds {
		b, err := os.ReadFile(filepath.Join("testdata", "inputs", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, text string) {
		var doc Document
		err := read(text, &doc, Options{})
		if err != nil && len(doc.Warnings) > 0 {
			t.Fatalf("both an error (%v) and warnings", err)
		}
		if err != nil && strings.TrimSpace(err.Error()) == "" {
			t.Fatal("empty error")
		}
		checkOccurrences(t, text, doc, true)
	})
}

func FuzzFeed(f *testing.F)     { fuzzStructured(f, readFeed, "rss.xml", "atom.xml") }
func FuzzSitemap(f *testing.F)  { fuzzStructured(f, readSitemap, "sitemap.xml", "sitemapindex.xml") }
func FuzzPocket(f *testing.F)   { fuzzStructured(f, readPocket, "pocket.html", "pocket.csv") }
func FuzzPinboard(f *testing.F) { fuzzStructured(f, readPinboard, "pinboard.json") }
func FuzzRaindrop(f *testing.F) { fuzzStructured(f, readRaindrop, "raindrop.csv") }

func FuzzPDF(f *testing.F) {
	f.Add(makePDF(f, "Seed", [][]pdfLineSpec{
		{{text: "See https://www.example.", justify: true, link: "https://www.example.org/a-b"}, {text: "org/a-", link: "https://www.example.org/a-b"}, {text: "b today."}},
		{{text: "Page two https://two.example.org/x"}},
	}))
	// A hostile input must not stall the reader; a few seconds is ample for
	// inputs this small.
	old := pdfReadLimit
	pdfReadLimit = 3 * time.Second
	f.Cleanup(func() { pdfReadLimit = old })
	f.Fuzz(func(t *testing.T, content []byte) {
		doc := Document{Format: FormatPDF}
		if err := extractPDF(content, &doc, Options{}); err != nil {
			if strings.Contains(err.Error(), "gave up") {
				t.Fatalf("reading took too long: %v", err)
			}
			return // any error is fine; a panic or a hang is not
		}
		checkOccurrences(t, "", doc, false)
		for _, o := range doc.Occurrences {
			if o.Page < 1 {
				t.Fatalf("occurrence without a page: %+v", o)
			}
		}
	})
}
