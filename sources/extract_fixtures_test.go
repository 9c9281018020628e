package sources

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// fixture is one hand-written text with the URLs a person would read in it.
type fixture struct {
	name  string
	text  string
	title string
	date  string
	want  []string
	// Optional checks on the first occurrence.
	repair  string  // a Repairs entry that must be present
	alt     string  // an Alternatives entry that must be present
	maxConf float64 // Confidence must be below this (0: no check)
}

var fixtures = []fixture{
	// Line wrap that became a newline.
	{name: "wrap newline slug tail",
		text: "Full story: https://www.harbourgazette.example.com/2021/06/14/ferry-service-resumes-after-long-wint\ner-f55210\n",
		want: []string{"https://www.harbourgazette.example.com/2021/06/14/ferry-service-resumes-after-long-winter-f55210"}, repair: "joined line wrap"},
	{name: "wrap newline path segment",
		text: "The installer notes live at https://docs.example.org/guides/\ninstall/linux-desktop.html for now.",
		want: []string{"https://docs.example.org/guides/install/linux-desktop.html"}},
	{name: "wrap across three lines",
		text: "Cited: https://archive.example.net/reports/2019/\nannual-review-of-regional-water-\nquality-measurements/summary.pdf\n",
		want: []string{"https://archive.example.net/reports/2019/annual-review-of-regional-water-quality-measurements/summary.pdf"}},
	{name: "wrap right after scheme",
		text: "Mirror: https://\nmirror.example.edu/pub/linux/iso/",
		want: []string{"https://mirror.example.edu/pub/linux/iso/"}},
	{name: "wrap inside percent escape",
		text: "Arabic page: https://news.example.com/ar/%D8%A7%D9%84%D8%B9%D8%B1%D8%\nA8%D9%8A%D8%A9\n",
		want: []string{"https://news.example.com/ar/%D8%A7%D9%84%D8%B9%D8%B1%D8%A8%D9%8A%D8%A9"}},
	{name: "wrap inside percent escape after one digit",
		text: "Page: https://ru.example.org/wiki/%D0%9C%D0%\n\t  BE%D1%81%D0%BA%D0%B2%D0%B0\n",
		want: []string{"https://ru.example.org/wiki/%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0"}},
	{name: "wrap after equals",
		text: "Search link https://search.example.com/results?query=tidal+energy&lang=\nen&page=2\n",
		want: []string{"https://search.example.com/results?query=tidal+energy&lang=en&page=2"}},
	{name: "wrap after question mark",
		text: "Query: https://catalog.example.org/find?\nauthor=ostrom&year=1990",
		want: []string{"https://catalog.example.org/find?author=ostrom&year=1990"}},
	{name: "wrap after ampersand",
		text: "Map view https://maps.example.com/view?lat=51.5&\nlon=-0.12&zoom=9\n",
		want: []string{"https://maps.example.com/view?lat=51.5&lon=-0.12&zoom=9"}},
	{name: "wrap after slash with id",
		text: "Listing at https://data.example.gov/dataset/\n7c1f2e90-air-quality\n",
		want: []string{"https://data.example.gov/dataset/7c1f2e90-air-quality"}},
	{name: "wrap with indented continuation",
		text: "    see https://lists.example.org/pipermail/dev/2018-March/\n    004512.html\n",
		want: []string{"https://lists.example.org/pipermail/dev/2018-March/004512.html"}},
	{name: "wrap with CRLF",
		text: "Ref: https://www.example.com/library/items/\r\nrare-maps-collection-0042\r\n",
		want: []string{"https://www.example.com/library/items/rare-maps-collection-0042"}},

	// Line wrap that became a single space.
	{name: "wrap space title completes",
		text:  "Original url:\nhttps://www.valleytimes.example.com/2020/02/11/mayor-opens-new-riverside-libr ary-a10293\n",
		title: "Mayor Opens New Riverside Library", date: "2020-02-11",
		want: []string{"https://www.valleytimes.example.com/2020/02/11/mayor-opens-new-riverside-library-a10293"}},
	{name: "wrap space path tail",
		text: "hosted by the lab (http://tools.example.ac.uk/ sequence/aligner/run, accessed 2019)",
		want: []string{"http://tools.example.ac.uk/sequence/aligner/run"}},
	{name: "wrap space after hyphen before id",
		text: "Voir : https://www.journal.example.fr/20170412/politique-reforme-retraites- 1033391225.html",
		want: []string{"https://www.journal.example.fr/20170412/politique-reforme-retraites-1033391225.html"}},

	// Hyphen inserted by the typesetter vs the URL's own hyphen.
	{name: "inserted hyphen title word",
		text:  "Source:\nhttps://www.example.com/news/government-unveils-new-invest-\nment-plan-4412\n",
		title: "Government Unveils New Investment Plan",
		want:  []string{"https://www.example.com/news/government-unveils-new-investment-plan-4412"}, repair: "removed inserted hyphen"},
	{name: "inserted hyphen dictionary word",
		text: "Report: https://www.example.org/articles/the-environ-\nmental-cost-of-shipping\n",
		want: []string{"https://www.example.org/articles/the-environmental-cost-of-shipping"}},
	{name: "real hyphen between words",
		text: "Report: https://www.example.org/articles/rising-sea-levels-and-coastal-\ncities-2030\n",
		want: []string{"https://www.example.org/articles/rising-sea-levels-and-coastal-cities-2030"}, repair: "kept hyphen at break"},
	{name: "real hyphen title pair",
		text:  "https://www.example.net/world/leaders-sign-climate-\nagreement-in-geneva/\n",
		title: "Leaders Sign Climate Agreement in Geneva",
		want:  []string{"https://www.example.net/world/leaders-sign-climate-agreement-in-geneva/"}},
	{name: "numeric id after hyphen",
		text: "Coverage: http://www.example.co.uk/news/uk/flooding-hits-northern-towns-\n8812345.html",
		want: []string{"http://www.example.co.uk/news/uk/flooding-hits-northern-towns-8812345.html"}},
	{name: "github line range",
		text: "the parser loop (https://github.com/example/tool/blob/main/src/parse.go#L120-\nL148) is slow",
		want: []string{"https://github.com/example/tool/blob/main/src/parse.go#L120-L148"}},
	{name: "commit id with inserted hyphen",
		text: "fixed in https://github.com/example/tool/commit/3f2a9c1d5e7b8a0f4c6d2e1b9-\na8c7d6e5f4a3b2c and released",
		want: []string{"https://github.com/example/tool/commit/3f2a9c1d5e7b8a0f4c6d2e1b9a8c7d6e5f4a3b2c"}},
	{name: "uuid keeps hyphen",
		text: "Record https://registry.example.org/items/550e8400-e29b-\n41d4-a716-446655440000\n",
		want: []string{"https://registry.example.org/items/550e8400-e29b-41d4-a716-446655440000"}},
	{name: "ambiguous word pair keeps alternatives",
		text: "Story: https://www.example.com/world/jets-carry-out-air-\nstrikes-near-border\n",
		want: []string{"https://www.example.com/world/jets-carry-out-air-strikes-near-border"},
		alt:  "https://www.example.com/world/jets-carry-out-airstrikes-near-border", maxConf: 0.6},
	{name: "title decides word pair",
		text:  "Story: https://www.example.com/world/jets-carry-out-air-\nstrikes-near-border\n",
		title: "Jets Carry Out Airstrikes Near Border",
		want:  []string{"https://www.example.com/world/jets-carry-out-airstrikes-near-border"}},
	{name: "host hyphen stays uncertain",
		text: "[3] Society for Open Rivers, annual report, https://www.societyforopen-\nrivers.org/reports/2022.pdf",
		want: []string{"https://www.societyforopenrivers.org/reports/2022.pdf"},
		alt:  "https://www.societyforopen-rivers.org/reports/2022.pdf", maxConf: 0.6},

	// Invisible characters.
	{name: "soft hyphen inside",
		text:   "https://www.example.com/science/deep-sea-explo\u00adration-findings-2231",
		want:   []string{"https://www.example.com/science/deep-sea-exploration-findings-2231"},
		repair: "removed soft hyphens"},
	{name: "soft hyphen at line end",
		text: "https://www.example.com/science/deep-sea-explo\u00ad\nration-findings-2231",
		want: []string{"https://www.example.com/science/deep-sea-exploration-findings-2231"}},
	{name: "html soft hyphen entity",
		text: "Read https://www.example.com/culture/photo&shy;graphy-prize and more",
		want: []string{"https://www.example.com/culture/photography-prize"}},
	{name: "zero-width space inside",
		text:   "Mirror https://files.example.org/pub/\u200breleases/v2/ today",
		want:   []string{"https://files.example.org/pub/releases/v2/"},
		repair: "removed zero-width characters"},
	{name: "zero-width joiner word joiner and BOM inside",
		text: "at https://exa\u200dmple.com/a\u2060b/c\ufeffd now",
		want: []string{"https://example.com/ab/cd"}},
	{name: "trailing zero-width space",
		text:   "Tool: https://github.com/example/scanner\u200b, see below",
		want:   []string{"https://github.com/example/scanner"},
		repair: "removed zero-width characters"},
	{name: "zero-width space before wrap",
		text: "Table at https://www.example.org/charts/\u200b\nunicode/blocks.htm",
		want: []string{"https://www.example.org/charts/unicode/blocks.htm"}},

	// HTML entities in text.
	{name: "amp entities",
		text:   "Listing: https://shop.example.com/item?id=42&amp;color=blue&amp;size=m",
		want:   []string{"https://shop.example.com/item?id=42&color=blue&size=m"},
		repair: "decoded HTML entities"},
	{name: "numeric entities",
		text: "Go to https://example.com/search?q&#61;rivers&#x26;page&#61;2",
		want: []string{"https://example.com/search?q=rivers&page=2"}},
	{name: "hex slash entity",
		text: "Path https://example.com&#x2F;docs&#x2F;intro for details",
		want: []string{"https://example.com/docs/intro"}},
	{name: "quot entity ends url",
		text: "<a href=&quot;https://example.com/a/b&quot;>link</a>",
		want: []string{"https://example.com/a/b"}},
	{name: "double encoded amp",
		text: "https://example.com/q?a=1&amp;amp;b=2",
		want: []string{"https://example.com/q?a=1&b=2"}},

	// Defanged URLs.
	{name: "hxxp and bracket dots",
		text:   "C2 server: hxxp://bad-domain[.]example[.]com/gate.php",
		want:   []string{"http://bad-domain.example.com/gate.php"},
		repair: "refanged"},
	{name: "hxxps paren dot and bracket colon",
		text: "payload at hxxps[:]//cdn(.)example(.)net/x/y.bin",
		want: []string{"https://cdn.example.net/x/y.bin"}},
	{name: "defanged path dot only in defanged url",
		text: "drop hxxps://evil[.]example[.]net/payload[.]exe but https://example.org/a[.]b stays",
		want: []string{"https://evil.example.net/payload.exe", "https://example.org/a[.]b"}},
	{name: "bracket scheme separator",
		text: "beacon http[://]update.example.org/check",
		want: []string{"http://update.example.org/check"}},
	{name: "spaced host dots",
		text: "Advisory: https:// portal.example .org /advisories/2023/adv-0042.html",
		want: []string{"https://portal.example.org/advisories/2023/adv-0042.html"}},
	{name: "spaces around scheme colon",
		text: "Guide at http: //www.example.edu/handbook/citations for students.",
		want: []string{"http://www.example.edu/handbook/citations"}},
	{name: "defanged www without scheme",
		text: "Domain www[.]example[.]info/login was used",
		want: []string{"www.example.info/login"}},

	// Trailing punctuation and brackets.
	{name: "trailing prose punctuation",
		text: "Try https://example.com/a. Or https://example.com/b, or https://example.com/c; maybe https://example.com/d: https://example.com/e! https://example.com/f?",
		want: []string{"https://example.com/a", "https://example.com/b", "https://example.com/c", "https://example.com/d", "https://example.com/e", "https://example.com/f"}},
	{name: "ellipsis",
		text: "More at https://example.org/longread/part-2… to be continued",
		want: []string{"https://example.org/longread/part-2"}},
	{name: "curly double quotes",
		text: "The page “https://example.org/tags/rivers/” lists them.",
		want: []string{"https://example.org/tags/rivers/"}},
	{name: "curly single quotes",
		text: "He wrote ‘https://example.org/notes/7’ on the board.",
		want: []string{"https://example.org/notes/7"}},
	{name: "straight quotes",
		text: `Set url = "https://api.example.com/v1/items" and 'https://api.example.com/v2/'.`,
		want: []string{"https://api.example.com/v1/items", "https://api.example.com/v2/"}},
	{name: "guillemets",
		text: "Lien : «https://exemple.example.fr/page/12» et ‹https://exemple.example.fr/page/13›.",
		want: []string{"https://exemple.example.fr/page/12", "https://exemple.example.fr/page/13"}},
	{name: "cjk punctuation",
		text: "请看https://example.cn/docs/intro，以及 https://example.cn/docs/faq、还有 https://example.cn/a.html。",
		want: []string{"https://example.cn/docs/intro", "https://example.cn/docs/faq", "https://example.cn/a.html"}},
	{name: "em dash",
		text: "the archive—https://example.org/archive/1999—was closed",
		want: []string{"https://example.org/archive/1999"}},
	{name: "balanced parens inside",
		text: "(as described at https://en.wikipedia.org/wiki/Mercury_(planet)).",
		want: []string{"https://en.wikipedia.org/wiki/Mercury_(planet)"}},
	{name: "unbalanced paren is prose",
		text: "(mirror: https://example.org/files/)",
		want: []string{"https://example.org/files/"}},
	{name: "square brackets",
		text: "[https://example.org/ref/4] and https://example.org/q?a[]=1",
		want: []string{"https://example.org/ref/4", "https://example.org/q?a[]=1"}},

	// Markdown.
	{name: "markdown link with title",
		text: `See [the spec](https://spec.example.org/html/links.html "Links section") for more.`,
		want: []string{"https://spec.example.org/html/links.html"}},
	{name: "markdown autolink",
		text: "Homepage: <https://www.example.com/project/> (stable)",
		want: []string{"https://www.example.com/project/"}},
	{name: "markdown reference definition",
		text: "As the [report][r2] says.\n\n[r2]: https://reports.example.org/2020/final.pdf \"Final\"",
		want: []string{"https://reports.example.org/2020/final.pdf"}},
	{name: "markdown emphasis",
		text: "Use *https://example.com/star* or _https://example.com/under_ or **https://example.com/bold**.",
		want: []string{"https://example.com/star", "https://example.com/under", "https://example.com/bold"}},
	{name: "markdown code span",
		text: "Run `curl https://example.com/install.sh` first.",
		want: []string{"https://example.com/install.sh"}},
	{name: "markdown wrap inside target",
		text: "Read [the guide](https://docs.example.com/en/latest/\nGettingStarted.html) first.",
		want: []string{"https://docs.example.com/en/latest/GettingStarted.html"}},
	{name: "markdown wrap inside autolink",
		text: "Mirror <https://mirror.example.org/pub/\nLatest/> today.",
		want: []string{"https://mirror.example.org/pub/Latest/"}},

	// No scheme.
	{name: "www without scheme",
		text: "Visit www.example.org/visitors/opening-hours for times.",
		want: []string{"www.example.org/visitors/opening-hours"}},
	{name: "bare host with path",
		text: "Read: riverwatch.example.com/articles/flood-defences-2021 later.",
		want: []string{"riverwatch.example.com/articles/flood-defences-2021"}},
	{name: "bare host wrapped id",
		text: "Read: thecityherald.com/articles/council-votes-to-expand-tram-network-\n48213",
		want: []string{"thecityherald.com/articles/council-votes-to-expand-tram-network-48213"}},
	{name: "file names are not hosts",
		text: "Edit README.md and setup.py, then config.yaml and index.html; see docs/setup.py and src/main.rs/",
		want: []string{}},
	{name: "file-like tld with stem",
		text: "Open notes.md/ and README.md/ in the editor.",
		want: []string{}},
	{name: "email is not a url",
		text: "Write to editor@example.com/letters or to someone.",
		want: []string{}},

	// Nested URLs.
	{name: "nested after url=",
		text: "Viewer: https://viewer.example.org/render?src=\nhttps://files.example.com/docs/annual-2019.pdf",
		want: []string{"https://viewer.example.org/render?src=https://files.example.com/docs/annual-2019.pdf"}, repair: "joined nested URL"},
	{name: "nested wayback",
		text: "Archived: https://web.archive.org/web/20190405123000/\nhttps://www.example.com/about/team",
		want: []string{"https://web.archive.org/web/20190405123000/https://www.example.com/about/team"}},

	// Negatives: never join the prose that follows.
	{name: "neg capitalised sentence",
		text: "The council page is https://www.example.gov.uk/council/minutes-2021\nMembers voted on the plan in May.",
		want: []string{"https://www.example.gov.uk/council/minutes-2021"}},
	{name: "neg lowercase prose words",
		text: "Photos are at https://gallery.example.com/albums/coast/\nbut the captions are missing.",
		want: []string{"https://gallery.example.com/albums/coast/"}},
	{name: "neg explains after extension",
		text: "https://www.example.org/help/exporting-data.html\ndescribes the export options.",
		want: []string{"https://www.example.org/help/exporting-data.html"}},
	{name: "neg page number",
		text: "[7] Water board, minutes, https://www.example.org/board/minutes\n23\nThe board met twice.",
		want: []string{"https://www.example.org/board/minutes"}},
	{name: "neg blank line",
		text: "Sources: https://www.example.org/data/rainfall-\n\nstations were checked by hand.",
		want: []string{"https://www.example.org/data/rainfall-"}},
	{name: "neg hyphenated prose after url",
		text: "Check https://status.example.com/incidents for up-\nto-the-minute news.",
		want: []string{"https://status.example.com/incidents"}},
	{name: "neg next line is another url",
		text: "https://one.example.com/a/\nhttps://two.example.com/b/\nwww.three.example.com/c",
		want: []string{"https://one.example.com/a/", "https://two.example.com/b/", "www.three.example.com/c"}},
	{name: "neg url list with labels",
		text: "Mozilla: www.example.org/en-US/\nGoogle: www.example.com/intl/en/\n",
		want: []string{"www.example.org/en-US/", "www.example.com/intl/en/"}},
	{name: "neg space then prose",
		text: "see https://example.com/docs and/or https://example.com/faq for help",
		want: []string{"https://example.com/docs", "https://example.com/faq"}},
	{name: "neg accessed note",
		text: "https://www.example.org/reports/2018 (accessed 3 May 2019)",
		want: []string{"https://www.example.org/reports/2018"}},
	{name: "neg acronym sentence",
		text: "More: https://www.example.net/updates/weekly-digest/\nNASA confirmed the launch date.",
		want: []string{"https://www.example.net/updates/weekly-digest/"}},
	{name: "neg comma at line end",
		text: "Mirrors are https://a.example.org/pub,\nnorth.example.org and others.",
		want: []string{"https://a.example.org/pub"}},
	{name: "neg period at line end",
		text: "The data is at https://example.org/open-data.\nIt is updated weekly.",
		want: []string{"https://example.org/open-data"}},
	{name: "neg bare scheme prose",
		text: "Prefix links with http:// or https:// as needed; HTTP/1.1 is old.",
		want: []string{}},
	{name: "neg no urls at all",
		text: "Plain prose with e.g. dots, i.e. abbreviations, 3.5/km speeds and a.m./p.m. times.",
		want: []string{}},
	{name: "single-label hosts after a scheme",
		text: "http://intranet/wiki and http://localhost:8080/admin work locally.",
		want: []string{"http://intranet/wiki", "http://localhost:8080/admin"}},
}

func TestExtractFixtures(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			occs := ExtractText(f.text, Evidence{Title: f.title, Date: f.date})
			checkOffsets(t, f.text, occs)
			got := []string{}
			for _, o := range occs {
				got = append(got, o.URL)
			}
			if !slices.Equal(got, f.want) {
				t.Fatalf("got  %q\nwant %q", got, f.want)
			}
			if len(occs) == 0 {
				return
			}
			o := occs[0]
			if f.repair != "" && !slices.Contains(o.Repairs, f.repair) {
				t.Errorf("repairs %q lack %q", o.Repairs, f.repair)
			}
			if f.alt != "" && !slices.Contains(o.Alternatives, f.alt) {
				t.Errorf("alternatives %q lack %q", o.Alternatives, f.alt)
			}
			if f.maxConf > 0 && o.Confidence >= f.maxConf {
				t.Errorf("confidence %.2f, want < %.2f", o.Confidence, f.maxConf)
			}
			for _, o := range occs {
				if o.Repaired && len(o.Repairs) == 0 {
					t.Errorf("%q repaired without repairs", o.URL)
				}
			}
		})
	}
}

// A scraped article shaped like the project's motivating seed: title,
// byline, dateline, body, and an "Original url:" line whose URL was split by
// a wrap that became a space.
const seedArticle = `

Harbour Authority Plans Second Ferry Terminal

By The Coastal Ledger

March 3, 2016



Plans for a second ferry terminal were presented on Thursday to a packed hall in the old customs house.

The harbour authority said the terminal would take pressure off the existing quay, where queues of lorries stretch back into town during the summer months.

Residents asked about noise and traffic; the authority promised a consultation before any work begins.

Original url:

https://www.coastalledger.example.com/2016/03/03/harbour-authority-plans-second-ferry-termin al-a48120`

func TestExtractSeedShapedArticle(t *testing.T) {
	ev := Evidence{Title: "Harbour Authority Plans Second Ferry Terminal", Date: "2016-03-03"}
	occs := ExtractText(seedArticle, ev)
	checkOffsets(t, seedArticle, occs)
	if len(occs) != 1 {
		t.Fatalf("got %d occurrences: %+v", len(occs), occs)
	}
	o := occs[0]
	want := "https://www.coastalledger.example.com/2016/03/03/harbour-authority-plans-second-ferry-terminal-a48120"
	if o.URL != want {
		t.Fatalf("URL %q, want %q", o.URL, want)
	}
	if !o.Repaired || !slices.Contains(o.Repairs, "joined line wrap") {
		t.Errorf("repairs %q", o.Repairs)
	}
	if !strings.Contains(o.Raw, "termin al") {
		t.Errorf("raw %q should keep the damage", o.Raw)
	}
	if o.Confidence < 0.8 {
		t.Errorf("confidence %.2f: the title decides this one", o.Confidence)
	}
	found := false
	for _, r := range o.Reasons {
		found = found || strings.Contains(r, `"Terminal"`)
	}
	if !found {
		t.Errorf("reasons %q should cite the title word", o.Reasons)
	}
	if len(o.Alternatives) == 0 {
		t.Errorf("the unjoined URL should remain an alternative")
	}
}

func TestExtractUnrepairedShape(t *testing.T) {
	occs := ExtractText("plain https://example.com/a/b here", Evidence{})
	if len(occs) != 1 {
		t.Fatalf("got %+v", occs)
	}
	o := occs[0]
	if o.Repaired || o.Confidence != 1 || o.Repairs == nil || len(o.Repairs) != 0 ||
		o.Alternatives == nil || len(o.Alternatives) != 0 || o.Reasons == nil || len(o.Reasons) != 0 {
		t.Errorf("unrepaired occurrence: %+v", o)
	}
	if o.Start != 6 || o.End != 29 || o.Line != 1 || o.Column != 7 {
		t.Errorf("offsets %+v", o)
	}
}

func TestExtractPositionsMultiline(t *testing.T) {
	text := "first line\nsecond https://a.example.com/x\n\nthird ééé https://b.example.com/y\nhttps://c.example.com/\nz/w"
	occs := ExtractText(text, Evidence{})
	checkOffsets(t, text, occs)
	if len(occs) != 3 || occs[1].Line != 4 || occs[1].Column != 14 || occs[2].Line != 5 || occs[2].Column != 1 {
		t.Fatalf("%+v", occs)
	}
	if occs[2].URL != "https://c.example.com/z/w" {
		t.Errorf("join: %q", occs[2].URL)
	}
}

func TestExtractInvalidUTF8(t *testing.T) {
	text := "bad \xff\xfe https://example.com/a\xffb and https://example.com/\xc3"
	occs := ExtractText(text, Evidence{})
	checkOffsets(t, text, occs)
	got := []string{}
	for _, o := range occs {
		got = append(got, o.URL)
	}
	want := []string{"https://example.com/a", "https://example.com/"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestExtractLineWidthEvidence(t *testing.T) {
	// A hard-wrapped text: the URL line reached the wrap width, so the lone
	// lowercase word on the next line is taken as the URL's tail.
	text := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do\n", 6) +
		"links: https://www.example.org/guidance/planning/appendix-tables/\nschedule\n" +
		strings.Repeat("eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim\n", 4)
	occs := ExtractText(text, Evidence{})
	if len(occs) != 1 || occs[0].URL != "https://www.example.org/guidance/planning/appendix-tables/schedule" {
		t.Fatalf("%+v", occs)
	}
	fill := false
	for _, r := range occs[0].Reasons {
		fill = fill || strings.Contains(r, "reached wrap width")
	}
	if !fill {
		t.Errorf("reasons %q", occs[0].Reasons)
	}
	// The same URL on a line that ended early is left alone.
	short := strings.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do\n", 6) +
		"see https://ex.org/a/\nschedule\n" +
		strings.Repeat("eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim\n", 4)
	occs = ExtractText(short, Evidence{})
	if len(occs) != 1 || occs[0].URL != "https://ex.org/a/" {
		t.Fatalf("%+v", occs)
	}
}

func TestCleanAttrURL(t *testing.T) {
	tests := []struct {
		raw, want string
		repairs   []string
		ok        bool
	}{
		{"https://example.com/a?x=1&amp;y=2", "https://example.com/a?x=1&y=2", []string{"decoded HTML entities"}, true},
		{"  https://example.com/a  ", "https://example.com/a", []string{}, true},
		{"https://example.com/long/\n   path/here", "https://example.com/long/path/here", []string{"removed whitespace"}, true},
		{"https://example.com/ex\u00adample", "https://example.com/example", []string{"removed soft hyphens"}, true},
		{"https://exa\u200bmple.com/", "https://example.com/", []string{"removed zero-width characters"}, true},
		{"https:&#x2F;&#x2F;example.com&#47;p", "https://example.com/p", []string{"decoded HTML entities"}, true},
		{"https://example.com/?a=1&amp;amp;b=2", "https://example.com/?a=1&b=2", []string{"decoded HTML entities"}, true},
		{"/relative/path", "/relative/path", []string{}, false},
		{"mailto:someone@example.com", "mailto:someone@example.com", []string{}, false},
		{"javascript:void(0)", "javascript:void(0)", []string{}, false},
		{"HTTPS://EXAMPLE.COM/", "HTTPS://EXAMPLE.COM/", []string{}, true},
		{"", "", []string{}, false},
	}
	for _, tc := range tests {
		got, repairs, ok := CleanAttrURL(tc.raw)
		if got != tc.want || ok != tc.ok || !slices.Equal(repairs, tc.repairs) {
			t.Errorf("CleanAttrURL(%q) = %q %q %v, want %q %q %v", tc.raw, got, repairs, ok, tc.want, tc.repairs, tc.ok)
		}
	}
}

// TestExtractCasesFile runs the regression cases in testdata/extract_cases.txt
// (format described at its top).
func TestExtractCasesFile(t *testing.T) {
	data, err := os.ReadFile("testdata/extract_cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.SplitN(line, "|", 4)
		if len(p) != 4 {
			t.Fatalf("line %d: want 4 fields", i+1)
		}
		n++
		text := strings.ReplaceAll(p[2], `\n`, "\n")
		occs := ExtractText(text, Evidence{Title: p[0], Date: p[1]})
		checkOffsets(t, text, occs)
		got := []string{}
		for _, o := range occs {
			got = append(got, o.URL)
		}
		if want := strings.Fields(p[3]); !slices.Equal(got, want) {
			t.Errorf("line %d: %q\n got  %q\n want %q", i+1, text, got, want)
		}
	}
	t.Logf("%d cases", n)
}
