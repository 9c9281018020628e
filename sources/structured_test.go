package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantOcc is one expected occurrence: URL, line, column, role, title, date.
type wantOcc struct {
	url          string
	line, column int
	role         Role
	title, date  string
}

func TestStructuredInputs(t *testing.T) {
	cases := []struct {
		file             string
		format           Format
		title, date, src string
		occs             []wantOcc
	}{
		{"rss.xml", FormatFeed, "River Notes", "2019-09-03", "https://river.example.org/", []wantOcc{
			{"https://river.example.org/", 5, 9, RoleSource, "", ""},
			{"https://river.example.org/feed.xml", 6, 20, RoleCited, "", ""},
			{"https://river.example.org/2019/08/flood-levels?ref=rss&src=feed", 10, 11, RoleCited, "Flood levels in August", "2019-09-02"},
			{"https://river.example.org/?p=101", 11, 30, RoleCited, "Flood levels in August", "2019-09-02"},
			{"https://gauges.example.net/station/42", 13, 51, RoleCited, "Flood levels in August", "2019-09-02"},
			{"https://river.example.org/2019/08/flood-levels#comments", 14, 15, RoleCited, "Flood levels in August", "2019-09-02"},
			{"https://river.example.org/2019/07/bridge", 18, 11, RoleCited, "Bridge works", "2019-07-17"},
			{"https://council.example.gov/roads/bridge-works", 21, 47, RoleCited, "Bridge works", "2019-07-17"},
			{"https://maps.example.com/bridge", 21, 114, RoleCited, "Bridge works", "2019-07-17"},
			{"https://river.example.org/audio/bridge.mp3", 22, 21, RoleCited, "Bridge works", "2019-07-17"},
		}},
		{"atom.xml", FormatFeed, "Kiln Log", "2021-02-10", "https://kiln.example.org/", []wantOcc{
			{"https://kiln.example.org/", 4, 15, RoleSource, "", ""},
			{"https://kiln.example.org/atom.xml", 5, 15, RoleCited, "", ""},
			{"https://kiln.example.org/posts/glaze-firing", 10, 17, RoleCited, "Glaze & firing", "2021-02-09"},
			{"https://cones.example.com/chart", 13, 50, RoleCited, "Glaze & firing", "2021-02-09"},
			{"https://clay.example.com/shop", 14, 87, RoleCited, "Glaze & firing", "2021-02-09"},
			{"https://wiki.example.org/Kiln", 14, 133, RoleCited, "Glaze & firing", "2021-02-09"},
		}},
		{"sitemap.xml", FormatSitemap, "", "", "", []wantOcc{
			{"https://shop.example.com/", 4, 10, RoleCited, "", "2022-05-01"},
			{"https://shop.example.com/products?id=7&lang=en", 9, 7, RoleCited, "", "2022-04-30"},
			{"https://shop.example.com/de/produkte?id=7", 11, 53, RoleCited, "", "2022-04-30"},
		}},
		{"sitemapindex.xml", FormatSitemap, "", "", "", []wantOcc{
			{"https://shop.example.com/sitemap-products.xml", 3, 15, RoleCited, "", "2022-05-02"},
			{"https://shop.example.com/sitemap-blog.xml", 4, 24, RoleCited, "", ""},
		}},
		{"pocket.html", FormatPocket, "Pocket Export", "", "", []wantOcc{
			{"https://essays.example.org/on-maps", 11, 14, RoleCited, "On maps & territory", "2019-01-01"},
			{"https://news.example.com/story/123?utm=x", 12, 14, RoleCited, "A news story", "2019-07-01"},
			{"https://old.example.net/page", 16, 14, RoleCited, "Old page", "2010-01-01"},
		}},
		{"pocket.csv", FormatPocket, "", "", "", []wantOcc{
			{"https://essays.example.org/on-maps", 2, 26, RoleCited, "On maps, and territory", "2019-01-01"},
			{"https://news.example.com/story/123?a=1,2", 3, 15, RoleCited, "A news story", "2019-07-01"},
		}},
		{"pinboard.json", FormatPinboard, "", "", "", []wantOcc{
			{"https://pins.example.org/a", 1, 11, RoleCited, "Pin A", "2020-03-01"},
			{"https://pins.example.org/b?q=1", 2, 10, RoleCited, "Pin B", "2020-03-02"},
		}},
		{"raindrop.csv", FormatRaindrop, "", "", "", []wantOcc{
			{"https://garden.example.org/plan", 3, 18, RoleCited, "Garden plan", "2023-06-01"},
			{`https://seeds.example.com/tomato?x="1"`, 4, 21, RoleCited, "Seeds", "2023-06-02"},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			content, err := os.ReadFile(filepath.Join("testdata", "inputs", c.file))
			if err != nil {
				t.Fatal(err)
			}
			// Detection is by content: the name says nothing.
			doc, err := ExtractDocument("export.dat", content, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if doc.Format != c.format || doc.Title != c.title || doc.Date != c.date || doc.SourceURL != c.src {
				t.Errorf("format %q title %q date %q source %q; want %q %q %q %q", doc.Format, doc.Title, doc.Date, doc.SourceURL, c.format, c.title, c.date, c.src)
			}
			if len(doc.Warnings) > 0 {
				t.Errorf("warnings %q", doc.Warnings)
			}
			if len(doc.Occurrences) != len(c.occs) {
				for _, o := range doc.Occurrences {
					t.Logf("got %q", o.URL)
				}
				t.Fatalf("%d occurrences, want %d", len(doc.Occurrences), len(c.occs))
			}
			for i, w := range c.occs {
				o := doc.Occurrences[i]
				got := wantOcc{o.URL, o.Line, o.Column, o.Role, o.Title, o.Date}
				if got != w {
					t.Errorf("occurrence %d:\n got %+v\nwant %+v", i, got, w)
				}
				if string(content[o.Start:o.End]) != o.Raw || o.Raw == "" {
					t.Errorf("occurrence %d: raw %q is not content[%d:%d] = %q", i, o.Raw, o.Start, o.End, content[o.Start:o.End])
				}
			}
		})
	}
}

func TestStructuredMalformed(t *testing.T) {
	cases := []struct {
		name, content string
		wantErr       string // "" when a warning is expected instead
		wantWarn      string
		urls          int
	}{
		{"rss cut before any item", "<?xml version=\"1.0\"?>\n<rss><channel>\n<title>x</title>\n<link>not a url", "feed: XML syntax error on line 4: unexpected EOF", "", 0},
		{"rss bad tag after an item", "<rss><channel>\n<item><link>https://a.example.org/1</link></item>\n<item><link>https://a.example.org/2</link></itm>\n</channel></rss>", "", "feed: XML syntax error on line 3", 2},
		{"sitemap mismatched", "<urlset>\n<url><loc>https://a.example.org/</loc>\n</urlset>", "", "sitemap: XML syntax error on line 3", 1},
		{"pinboard not an array of objects", `[ "href", "time" ]`, "Pinboard JSON export: line 1: want a bookmark object", "", 0},
		{"pinboard truncated", "[{\"href\":\"https://a.example.org/\",\"time\":\"2020-01-01\"},\n{\"href\":\"https://b.exa", "", "Pinboard JSON export: JSON", 1},
		{"pocket csv bad quote", "title,url,time_added,tags,status\nA,https://a.example.org/,1,,unread\nB,\"https://b.example.org/\"x,1,,unread\n", "", "Pocket CSV export: CSV error on line 3", 1},
		{"raindrop csv bad quote first", "id,title,note,excerpt,url,folder,tags,created\n1,\"x\"y,,,https://a.example.org/,f,,2023-01-01\n", "Raindrop CSV export: CSV error on line 2", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := ExtractDocument("in", []byte(c.content), Options{})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want it to contain %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], c.wantWarn) {
				t.Errorf("warnings %q, want one containing %q", doc.Warnings, c.wantWarn)
			}
			if len(doc.Occurrences) != c.urls {
				t.Errorf("%d URLs, want %d", len(doc.Occurrences), c.urls)
			}
		})
	}
}

func TestDetectStructured(t *testing.T) {
	cases := map[string]Format{
		"<?xml version='1.0'?><!-- c --><rdf:RDF xmlns:rdf='x'><channel/></rdf:RDF>": FormatFeed,
		"<!DOCTYPE foo><sitemapindex/>":                                              FormatSitemap,
		"<html><head><title>Pocket Export</title></head></html>":                     FormatPocket,
		"<html><head><title>Other</title></head></html>":                             FormatHTML,
		"[{\"href\": \"https://x.example\", \"time\": \"2020\"}]":                    FormatPinboard,
		"[1, 2, 3]": FormatText,
		"url,title,time_added\nhttps://x.example,x,1\n":   FormatPocket,
		"id,title,note,excerpt,url,folder,tags,created\n": FormatRaindrop,
		"name,url\nx,https://x.example\n":                 FormatText,
		"Notes about %PDF-1.7 headers https://x.example":  FormatText,
	}
	for content, want := range cases {
		if got := DetectFormat("f", []byte(content)); got != want {
			t.Errorf("DetectFormat(%q) = %q, want %q", content, got, want)
		}
	}
}
