package pubarchive

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func when(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, time.UTC)
}

// The TimeMap of docs/reference archive-apis.md, with the variations the
// reference says parsers must take: unquoted rel, extra attributes, line
// breaks.
const referenceTimeMap = `<http://example.com/page>; rel="original",
<http://arch.example/timegate/http://example.com/page>; rel=timegate,
<http://arch.example/timemap/link/http://example.com/page>; rel="self"; type="application/link-format"; from="Fri, 01 Jan 2010 00:00:00 GMT"; until="Wed, 01 Jan 2020 00:00:00 GMT",
<http://arch.example/web/20100101000000/http://example.com/page>; rel="first memento"; datetime="Fri, 01 Jan 2010 00:00:00 GMT",
<http://arch.example/web/20140126200804/http://example.com/page>; rel=memento; datetime="Sun, 26 Jan 2014 20:08:04 GMT"; collection="ia",
<http://arch.example/web/20200101000000/http://example.com/page>; rel="last memento"; datetime="Wed, 01 Jan 2020 00:00:00 GMT"
`

func TestParseLinkFormatTimeMap(t *testing.T) {
	t.Parallel()
	got, err := ParseLinkFormat(referenceTimeMap)
	if err != nil {
		t.Fatal(err)
	}
	want := []LinkEntry{
		{URL: "http://example.com/page", Rels: []string{"original"}, Params: map[string]string{"rel": "original"}},
		{URL: "http://arch.example/timegate/http://example.com/page", Rels: []string{"timegate"}, Params: map[string]string{"rel": "timegate"}},
		{URL: "http://arch.example/timemap/link/http://example.com/page", Rels: []string{"self"}, Params: map[string]string{
			"rel": "self", "type": "application/link-format",
			"from": "Fri, 01 Jan 2010 00:00:00 GMT", "until": "Wed, 01 Jan 2020 00:00:00 GMT"}},
		{URL: "http://arch.example/web/20100101000000/http://example.com/page", Rels: []string{"first", "memento"},
			Datetime: when(2010, 1, 1, 0, 0, 0),
			Params:   map[string]string{"rel": "first memento", "datetime": "Fri, 01 Jan 2010 00:00:00 GMT"}},
		{URL: "http://arch.example/web/20140126200804/http://example.com/page", Rels: []string{"memento"},
			Datetime: when(2014, 1, 26, 20, 8, 4),
			Params:   map[string]string{"rel": "memento", "datetime": "Sun, 26 Jan 2014 20:08:04 GMT", "collection": "ia"}},
		{URL: "http://arch.example/web/20200101000000/http://example.com/page", Rels: []string{"last", "memento"},
			Datetime: when(2020, 1, 1, 0, 0, 0),
			Params:   map[string]string{"rel": "last memento", "datetime": "Wed, 01 Jan 2020 00:00:00 GMT"}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !sameEntry(got[i], want[i]) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func sameEntry(a, b LinkEntry) bool {
	return a.URL == b.URL && slices.Equal(a.Rels, b.Rels) && a.Datetime.Equal(b.Datetime) && maps.Equal(a.Params, b.Params)
}

func TestParseLinkFormatVariants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		urls     []string
		check    func(t *testing.T, es []LinkEntry)
	}{
		{"empty", "", nil, nil},
		{"only whitespace and commas", " \r\n\t, ,\n", nil, nil},
		{"header on one line", `<a>; rel="original", <b>; rel="memento"; datetime="Sun, 26 Jan 2014 20:08:04 GMT"`, []string{"a", "b"},
			func(t *testing.T, es []LinkEntry) {
				if !es[1].Datetime.Equal(when(2014, 1, 26, 20, 8, 4)) {
					t.Errorf("datetime %v", es[1].Datetime)
				}
			}},
		{"commas and semicolons inside <> and quotes", `<http://x/a,b;c>; title="one, two; three", <http://y/>`, []string{"http://x/a,b;c", "http://y/"},
			func(t *testing.T, es []LinkEntry) {
				if es[0].Params["title"] != "one, two; three" {
					t.Errorf("title %q", es[0].Params["title"])
				}
			}},
		{"CRLF, tabs and breaks around every separator", "<a>\r\n\t;\r\n rel\t=\n\"memento\"\r\n\t,\r\n\r\n<b> ; rel = original ;\n", []string{"a", "b"},
			func(t *testing.T, es []LinkEntry) {
				if !es[0].Has("memento") || !es[1].Has("original") {
					t.Errorf("rels %q %q", es[0].Rels, es[1].Rels)
				}
			}},
		{"empty list elements", ",<a>; rel=x,,, <b>,", []string{"a", "b"}, nil},
		{"names and registered rels ignore case", `<a>; REL="First MEMENTO"; DateTime="Fri, 01 Jan 2010 00:00:00 GMT"`, []string{"a"},
			func(t *testing.T, es []LinkEntry) {
				if !slices.Equal(es[0].Rels, []string{"first", "memento"}) || es[0].Datetime.IsZero() {
					t.Errorf("rels %q datetime %v", es[0].Rels, es[0].Datetime)
				}
			}},
		{"extension rel keeps its case", `<a>; rel="http://Example.org/Rel memento"`, []string{"a"},
			func(t *testing.T, es []LinkEntry) {
				if !slices.Equal(es[0].Rels, []string{"http://Example.org/Rel", "memento"}) {
					t.Errorf("rels %q", es[0].Rels)
				}
			}},
		{"escapes in quoted values", `<a>; title="say \"hi\" \\ bye"`, []string{"a"},
			func(t *testing.T, es []LinkEntry) {
				if es[0].Params["title"] != `say "hi" \ bye` {
					t.Errorf("title %q", es[0].Params["title"])
				}
			}},
		{"first rel wins", `<a>; rel=memento; rel=original`, []string{"a"},
			func(t *testing.T, es []LinkEntry) {
				if !slices.Equal(es[0].Rels, []string{"memento"}) {
					t.Errorf("rels %q", es[0].Rels)
				}
			}},
		{"parameter without value and empty ones", `<a>; crossorigin;; rel=memento;`, []string{"a"},
			func(t *testing.T, es []LinkEntry) {
				if v, ok := es[0].Params["crossorigin"]; !ok || v != "" || !es[0].Has("memento") {
					t.Errorf("params %v", es[0].Params)
				}
			}},
		{"unquoted type with slash, RFC 8187 title*", `<a>; type=application/link-format; title*=UTF-8'de'n%c3%a4chstes`, []string{"a"},
			func(t *testing.T, es []LinkEntry) {
				if es[0].Params["type"] != "application/link-format" || es[0].Params["title*"] != "UTF-8'de'n%c3%a4chstes" {
					t.Errorf("params %v", es[0].Params)
				}
			}},
		{"numeric zone and RFC 850 dates", `<a>; datetime="Sun, 26 Jan 2014 21:08:04 +0100", <b>; datetime="Sunday, 26-Jan-14 20:08:04 GMT"`, []string{"a", "b"},
			func(t *testing.T, es []LinkEntry) {
				for _, e := range es {
					if !e.Datetime.Equal(when(2014, 1, 26, 20, 8, 4)) || e.Datetime.Location() != time.UTC {
						t.Errorf("%s: datetime %v", e.URL, e.Datetime)
					}
				}
			}},
		{"spaces inside <> are trimmed", "< http://x/ >", []string{"http://x/"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, err := ParseLinkFormat(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var urls []string
			for _, e := range es {
				urls = append(urls, e.URL)
			}
			if !slices.Equal(urls, tc.urls) {
				t.Fatalf("urls %q, want %q", urls, tc.urls)
			}
			if tc.check != nil {
				tc.check(t, es)
			}
		})
	}
}

func TestParseLinkFormatErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     []string // substrings of the error
		partial  int      // entries returned with the error
	}{
		{"no angle bracket", `http://x/; rel=memento`, []string{"byte 0", `expected "<" to start a link, found "http://x/; rel=memen"`}, 0},
		{"truncated inside <>", `<http://x/a>; rel=original, <http://x/b`, []string{`unterminated <…>: no ">" after "http://x/b"`}, 1},
		{"truncated inside a quoted datetime", `<a>; rel=memento; datetime="Sun, 26 Ja`, []string{"unterminated quoted value of datetime", `"Sun, 26 Ja"`}, 0},
		{"truncated after =", `<a>; rel=`, []string{"in <a>: parameter rel has no value"}, 0},
		{"empty unquoted value", `<a>; rel=; type=x`, []string{"parameter rel has no value"}, 0},
		{"junk between entries", `<a>; rel=original junk, <b>`, []string{`after <a>: expected ";" or ","`, `found "junk, <b>"`}, 0},
		{"junk after a quoted value", `<a>; rel="memento"x`, []string{`expected ";" or ","`}, 0},
		{"multi-word rel unquoted", `<a>; rel=first memento`, []string{`found "memento"`}, 0},
		{"missing parameter name", `<a>; ="x"`, []string{"in <a>: expected a parameter name, found"}, 0},
		{"quote inside unquoted value", `<a>; rel=me"mento"`, []string{"quote inside an unquoted value"}, 0},
		{"junk datetime", `<a>; rel=memento; datetime="yesterday"`, []string{`in <a>: datetime "yesterday" is not an HTTP date`}, 0},
		{"empty datetime", `<a>; datetime=""`, []string{`datetime "" is not an HTTP date`}, 0},
		{"junk datetime after good entries", "<a>; rel=original,\n<b>; datetime=\"Mon, 32 Jan 2014 00:00:00 GMT\"", []string{"in <b>: datetime"}, 1},
		{"control bytes are quoted", "<a>\x00", []string{`found "\x00"`}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, err := ParseLinkFormat(tc.in)
			if err == nil {
				t.Fatalf("no error; entries %+v", es)
			}
			if !strings.HasPrefix(err.Error(), "link-format: byte ") {
				t.Errorf("error %q does not start with its position", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if len(es) != tc.partial {
				t.Errorf("%d entries with the error, want %d", len(es), tc.partial)
			}
		})
	}
}

func TestLinkEntryHas(t *testing.T) {
	t.Parallel()
	e := LinkEntry{Rels: []string{"first", "memento"}}
	for rel, want := range map[string]bool{
		"memento": true, "MEMENTO": true, "first": true, "first memento": true, "memento  first": true,
		"last": false, "first last": false, "": false, " ": false, "mem": false,
	} {
		if got := e.Has(rel); got != want {
			t.Errorf("Has(%q) = %v, want %v", rel, got, want)
		}
	}
	if (LinkEntry{}).Has("memento") {
		t.Error("an entry without rels has memento")
	}
}

func TestParseLinksStopsEarly(t *testing.T) {
	t.Parallel()
	var seen []string
	err := parseLinks(strings.NewReader(referenceTimeMap+"<broken"), func(e LinkEntry) bool {
		seen = append(seen, e.URL)
		return len(seen) < 2
	})
	if err != nil || len(seen) != 2 {
		t.Fatalf("seen %q, err %v: want 2 entries and no error (the broken tail is never read)", seen, err)
	}
}

func TestParseLinksReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	err := parseLinks(&failingReader{data: `<a>; rel="memento", <b>; rel="mem`, err: boom}, func(LinkEntry) bool { return true })
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want the reader's error as is", err)
	}
}

type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// formatLinks writes entries back in link-format, every value quoted, for
// the round trip of the fuzz test.
func formatLinks(es []LinkEntry) string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "<%s>", e.URL)
		for _, k := range slices.Sorted(maps.Keys(e.Params)) {
			v := strings.ReplaceAll(strings.ReplaceAll(e.Params[k], `\`, `\\`), `"`, `\"`)
			fmt.Fprintf(&b, `; %s="%s"`, k, v)
		}
	}
	return b.String()
}

// FuzzParseLinkFormat: never panic; what parses must survive being written
// back and parsed again unchanged; errors name their position.
func FuzzParseLinkFormat(f *testing.F) {
	for _, s := range []string{
		referenceTimeMap,
		`<a>; rel="first memento"; datetime="Fri, 01 Jan 2010 00:00:00 GMT", <b>; rel=memento`,
		"<a>;\r\n rel = original ,,\n<b>; crossorigin; title=\"x, \\\"y\\\"\"",
		`<a>; rel=`, `<a`, `<a>; datetime="junk"`, `x`, "", ",,,",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		es, err := ParseLinkFormat(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "link-format: byte ") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		for _, e := range es {
			if strings.Contains(e.URL, ">") || e.URL != strings.TrimSpace(e.URL) {
				t.Fatalf("bad URL %q", e.URL)
			}
			for k := range e.Params {
				if k == "" || k != strings.ToLower(k) {
					t.Fatalf("bad parameter name %q", k)
				}
			}
		}
		again, err := ParseLinkFormat(formatLinks(es))
		if err != nil {
			t.Fatalf("reparsing %q: %v", formatLinks(es), err)
		}
		if len(again) != len(es) {
			t.Fatalf("round trip: %d entries, then %d", len(es), len(again))
		}
		for i := range es {
			if !sameEntry(es[i], again[i]) {
				t.Fatalf("round trip changed entry %d:\n%+v\n%+v", i, es[i], again[i])
			}
		}
	})
}
