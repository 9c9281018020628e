package sources

import (
	"slices"
	"testing"
)

// TestHTMLFollowedAttributes checks that every attribute a browser follows
// or loads yields its URL, on any element, and that malformed hosts do not.
func TestHTMLFollowedAttributes(t *testing.T) {
	cases := []struct {
		name, html string
		want       []string
	}{
		{"custom element href", `<my-card href="https://cards.example.org/c/1">x</my-card>`, []string{"https://cards.example.org/c/1"}},
		{"link stylesheet and icon", `<link rel="stylesheet" href="https://cdn.example.net/site.css"><link rel=icon href=https://cdn.example.net/fav.ico>`, []string{"https://cdn.example.net/site.css", "https://cdn.example.net/fav.ico"}},
		{"link canonical", `<link rel="canonical" href="https://news.example.com/story/5">`, []string{"https://news.example.com/story/5"}},
		{"srcset", `<img src="https://img.example.com/a.jpg" srcset="https://img.example.com/a-2x.jpg 2x, https://img.example.com/a-3x.jpg 3x">`, []string{"https://img.example.com/a.jpg", "https://img.example.com/a-2x.jpg", "https://img.example.com/a-3x.jpg"}},
		{"srcset widths no spaces", `<source srcset="https://img.example.com/s.webp 480w,https://img.example.com/l.webp 1024w">`, []string{"https://img.example.com/s.webp", "https://img.example.com/l.webp"}},
		{"srcset with commas in url", `<img srcset="https://img.example.com/w_200,h_100/p.jpg 1x">`, []string{"https://img.example.com/w_200,h_100/p.jpg"}},
		{"ping", `<a href="https://shop.example.com/" ping="https://track.example.com/p1 https://track.example.com/p2">shop</a>`, []string{"https://shop.example.com/", "https://track.example.com/p1", "https://track.example.com/p2"}},
		{"formaction", `<form action="https://forms.example.org/send"><button formaction="https://forms.example.org/alt">Go</button></form>`, []string{"https://forms.example.org/send", "https://forms.example.org/alt"}},
		{"video poster", `<video poster="https://media.example.org/poster.png" src="https://media.example.org/v.mp4"></video>`, []string{"https://media.example.org/poster.png", "https://media.example.org/v.mp4"}},
		{"object data", `<object data="https://docs.example.org/file.pdf" type="application/pdf"></object><div data="https://not.example.org/x"></div>`, []string{"https://docs.example.org/file.pdf"}},
		{"meta refresh", `<meta http-equiv="refresh" content="5; url=https://new.example.org/moved">`, []string{"https://new.example.org/moved"}},
		{"meta refresh quoted", `<meta http-equiv="Refresh" content="0;URL='https://new.example.org/q'">`, []string{"https://new.example.org/q"}},
		{"blockquote cite", `<blockquote cite="https://quotes.example.org/q/7">words</blockquote>`, []string{"https://quotes.example.org/q/7"}},
		{"malformed host", `<a href="https://example]org/page">bad</a>`, nil},
		{"other schemes", `<a href="mailto:someone@example.org">m</a><a href="javascript:void(0)">j</a><a href="ftp://files.example.org/x">f</a>`, nil},
		{"single-label host", `<a href="http://intranet/wiki">wiki</a>`, []string{"http://intranet/wiki"}},
	}
	for _, c := range cases {
		page := "<!doctype html><html><body>" + c.html + "</body></html>"
		doc, err := ExtractDocument("page.html", []byte(page), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range doc.Occurrences {
			got = append(got, o.URL)
			if page[o.Start:o.End] != o.Raw {
				t.Errorf("%s: raw %q is not the page's [%d,%d)", c.name, o.Raw, o.Start, o.End)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

// TestHTMLInlineTagsInsideURL checks URLs in HTML text that markup splits:
// phrasing tags join, <br> reads as a line break, and a tag after a URL
// does not glue the next sentence onto it.
func TestHTMLInlineTagsInsideURL(t *testing.T) {
	cases := []struct {
		name, html string
		want       []string
		repair     string
	}{
		{"span inside", `<p>See https://www.example.org/reports/<span class="x">annual-2015.pdf</span> now.</p>`, []string{"https://www.example.org/reports/annual-2015.pdf"}, "removed inline HTML tags"},
		{"em inside host", `<p>At https://www.<em>example</em>.com/a/b today.</p>`, []string{"https://www.example.com/a/b"}, ""},
		{"br wrap", `<p>Source: https://www.example.com/2014/09/29/russia-calls-for-joint-ef<br>fort-a39862</p>`, []string{"https://www.example.com/2014/09/29/russia-calls-for-joint-effort-a39862"}, "joined line wrap"},
		{"br then prose", `<p>Read https://www.example.com/news/harbour-plan<br>The council agreed.</p>`, []string{"https://www.example.com/news/harbour-plan"}, ""},
		{"bold url then prose", `<p><b>https://www.example.com/x</b> is the page.</p>`, []string{"https://www.example.com/x"}, ""},
		{"wbr", `<p>https://www.example.com/very<wbr>long<wbr/>path</p>`, []string{"https://www.example.com/verylongpath"}, ""},
		{"entities in text", `<p>Link: https&#58;&#47;&#47;www.example.com&#47;r&#47;1 here</p>`, []string{"https://www.example.com/r/1"}, "decoded HTML entities"},
	}
	for _, c := range cases {
		page := "<!doctype html><html><body>" + c.html + "</body></html>"
		doc, err := ExtractDocument("page.html", []byte(page), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range doc.Occurrences {
			got = append(got, o.URL)
			if page[o.Start:o.End] != o.Raw {
				t.Errorf("%s: raw %q is not the page's [%d,%d)", c.name, o.Raw, o.Start, o.End)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
			continue
		}
		if c.repair != "" && !slices.Contains(doc.Occurrences[0].Repairs, c.repair) {
			t.Errorf("%s: repairs %v lack %q", c.name, doc.Occurrences[0].Repairs, c.repair)
		}
	}
}
