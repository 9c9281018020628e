package fix

import (
	"strings"
	"testing"

	"github.com/linkrot/linkrot/sources"
)

const (
	deadURL  = "https://gone.example.com/2014/09/29/story-a39862"
	aliveURL = "https://alive.example.org/page"
)

var deadLinks = map[string]link{deadURL: {dead: true, copy: waybackCopy(deadURL)}}

func TestPlanText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		links          map[string]link
		note           string // a note that must be given
	}{{
		name: "dead link gains its copy after it",
		in:   "Source: " + deadURL + "\nAlso " + aliveURL + ".\n",
		want: "Source: " + deadURL + " [archived: " + waybackCopy(deadURL) + "]\nAlso " + aliveURL + ".\n",
	}, {
		name: "already archived: nothing",
		in:   "Source: " + deadURL + " [archived: " + waybackCopy(deadURL) + "]\n",
		want: "Source: " + deadURL + " [archived: " + waybackCopy(deadURL) + "]\n",
	}, {
		name: "line wrap with title evidence is repaired",
		in:   "Russia Calls for Joint Effort With US to Fight Islamic State\nSeptember 29, 2014\n\nOriginal url:\nhttps://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-stat\ne-a39862\n",
		want: "Russia Calls for Joint Effort With US to Fight Islamic State\nSeptember 29, 2014\n\nOriginal url:\nhttps://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862\n",
	}, {
		name: "entities are damage in plain text",
		in:   "see https://q.example.com/search?a=1&amp;b=2 now\n",
		want: "see https://q.example.com/search?a=1&b=2 now\n",
	}, {
		name: "no scheme stays without one; trailing dot stays outside",
		in:   "at www.example.com/page.\n",
		want: "at www.example.com/page.\n",
	}, {
		name: "defanged on purpose is never refanged",
		in:   "IOC: hxxps://evil[.]example.com/x\n",
		want: "IOC: hxxps://evil[.]example.com/x\n",
	}, {
		name:  "dead with no copy: a note, no change",
		in:    "See " + deadURL + "\n",
		want:  "See " + deadURL + "\n",
		links: map[string]link{deadURL: {dead: true}},
		note:  "dead, and no archived copy",
	}, {
		name:  "moved, when asked",
		in:    "See " + deadURL + " today\n",
		want:  "See https://new.example.com/story today\n",
		links: map[string]link{deadURL: {movedTo: "https://new.example.com/story"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			links := tc.links
			if links == nil {
				links = deadLinks
			}
			got, changes := fixText(t, "a.txt", tc.in, links)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			checkNote(t, changes, tc.note)
		})
	}
}

func TestPlanTextLowConfidenceLeftAlone(t *testing.T) {
	// A wrap the extractor doubts (no evidence in the text): the repair is
	// not written, and neither is an archived copy of the doubtful URL.
	in := "notes\n\nhttps://docs.example.com/guide/install-\nation and more text here\n"
	_, occs := extract(t, "a.txt", in)
	if len(occs) != 1 || occs[0].Confidence >= 0.6 || !occs[0].Repaired {
		t.Fatalf("fixture no longer gives one doubtful repair: %+v", occs)
	}
	doubtful := occs[0].URL
	got, changes := fixText(t, "a.txt", in, map[string]link{doubtful: {dead: true, copy: waybackCopy(doubtful)}})
	if got != in {
		t.Errorf("changed:\n%s", got)
	}
	checkNote(t, changes, "left alone: confidence")

	// Verified on the web, the same repair is written.
	got, _ = fixText(t, "a.txt", in, map[string]link{doubtful: {verified: true}})
	if !strings.Contains(got, doubtful+" and more") {
		t.Errorf("verified repair not written:\n%s", got)
	}
}

func TestPlanMarkdown(t *testing.T) {
	cp := waybackCopy(deadURL)
	for _, tc := range []struct {
		name, in, want, note string
		links                map[string]link
	}{{
		name: "inline link points at the copy, original follows",
		in:   "Read [the story](" + deadURL + ") first.\n",
		want: "Read [the story](" + cp + ") (original: <" + deadURL + ">) first.\n",
	}, {
		name: "inline link with a title",
		in:   "Read [the story](" + deadURL + " \"Title\") first.\n",
		want: "Read [the story](" + cp + " \"Title\") (original: <" + deadURL + ">) first.\n",
	}, {
		name: "link text that is the URL stays; the destination changes",
		in:   "[" + deadURL + "](" + deadURL + ")\n",
		want: "[" + deadURL + "](" + cp + ") (original: <" + deadURL + ">)\n",
	}, {
		name: "autolink",
		in:   "See <" + deadURL + ">.\n",
		want: "See <" + cp + "> (original: <" + deadURL + ">).\n",
	}, {
		name: "bare URL",
		in:   "See " + deadURL + " today.\n",
		want: "See <" + cp + "> (original: <" + deadURL + ">) today.\n",
	}, {
		name: "reference definition gets a title",
		in:   "See [it][1].\n\n[1]: " + deadURL + "\n",
		want: "See [it][1].\n\n[1]: " + cp + " \"original: " + deadURL + "\"\n",
	}, {
		name: "reference definition with a title is left alone",
		in:   "See [it][1].\n\n[1]: " + deadURL + " \"Story\"\n",
		want: "See [it][1].\n\n[1]: " + deadURL + " \"Story\"\n",
		note: "has a title already",
	}, {
		name: "fenced code is left alone",
		in:   "```\ncurl " + deadURL + "\n```\n",
		want: "```\ncurl " + deadURL + "\n```\n",
		note: "in code",
	}, {
		name: "code span is left alone",
		in:   "Run `curl " + deadURL + "` now.\n",
		want: "Run `curl " + deadURL + "` now.\n",
		note: "in code",
	}, {
		name: "front matter gets no annotation",
		in:   "---\nurl: " + deadURL + "\n---\n# Title\n",
		want: "---\nurl: " + deadURL + "\n---\n# Title\n",
		note: "front matter",
	}, {
		name:  "parentheses in the copy: the destination goes in <>",
		in:    "See [x](" + deadURL + ").\n",
		want:  "See [x](<" + waybackCopy(deadURL) + "(x)>) (original: <" + deadURL + ">).\n",
		links: map[string]link{deadURL: {dead: true, copy: waybackCopy(deadURL) + "(x)"}},
	}, {
		name: "a bare URL right after a link",
		in:   "[a](" + deadURL + ")" + deadURL + "\n",
		want: "[a](" + cp + ") (original: <" + deadURL + ">)<" + cp + "> (original: <" + deadURL + ">)\n",
	}, {
		name: "HTML block is left alone",
		in:   "<p>\n" + deadURL + "\n</p>\n\n<" + deadURL + ">\n",
		want: "<p>\n" + deadURL + "\n</p>\n\n<" + cp + "> (original: <" + deadURL + ">)\n",
		note: "in an HTML block",
	}, {
		name: "entities are correct Markdown",
		in:   "See [q](https://q.example.com/s?a=1&amp;b=2).\n",
		want: "See [q](https://q.example.com/s?a=1&amp;b=2).\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			links := tc.links
			if links == nil {
				links = deadLinks
			}
			got, changes := fixText(t, "a.md", tc.in, links)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			checkNote(t, changes, tc.note)
			again, changes := fixText(t, "a.md", got, links)
			if again != got {
				t.Errorf("second run changed it again:\n%s", again)
			}
			for _, c := range changes {
				if c.Edits() {
					t.Errorf("second run: %+v", c)
				}
			}
		})
	}
}

func TestPlanHTML(t *testing.T) {
	cp := waybackCopy(deadURL)
	robust := ` data-originalurl="` + deadURL + `" data-versionurl="` + cp + `" data-versiondate="2014-09-01"`
	for _, tc := range []struct {
		name, in, want, note string
	}{{
		name: "a href keeps its href and gains Robust Links",
		in:   `<p>See <a href="` + deadURL + `" class="x">the story</a>.</p>`,
		want: `<p>See <a href="` + deadURL + `"` + robust + ` class="x">the story</a>.</p>`,
	}, {
		name: "single-quoted and unquoted values",
		in:   `<a href='` + deadURL + `'>a</a> <a href=` + deadURL + `>b</a>`,
		want: `<a href='` + deadURL + `'` + robust + `>a</a> <a href=` + deadURL + robust + `>b</a>`,
	}, {
		name: "already Robust: nothing",
		in:   `<a href="` + deadURL + `"` + robust + `>x</a>`,
		want: `<a href="` + deadURL + `"` + robust + `>x</a>`,
	}, {
		name: "img cannot carry it",
		in:   `<img src="` + deadURL + `">`,
		want: `<img src="` + deadURL + `">`,
		note: "cannot carry",
	}, {
		name: "bare URL in text gets the text form",
		in:   `<p>See ` + deadURL + ` now</p>`,
		want: `<p>See ` + deadURL + ` [archived: ` + cp + `] now</p>`,
	}, {
		name: "&amp; in an href is correct HTML",
		in:   `<a href="https://q.example.com/s?a=1&amp;b=2">q</a>`,
		want: `<a href="https://q.example.com/s?a=1&amp;b=2">q</a>`,
	}, {
		name: "newlines in an href are dropped by browsers",
		in:   "<a href=\" https://q.example.com/long/\npath\">q</a>",
		want: "<a href=\" https://q.example.com/long/\npath\">q</a>",
	}, {
		name: "spaces inside an href are not",
		in:   "<a href=\"https://q.example.com/long/\n  path\">q</a>",
		want: "<a href=\"https://q.example.com/long/path\">q</a>",
	}, {
		name: "a soft hyphen in an href is damage",
		in:   `<a href="https://q.example.com/long&shy;path?a=1&amp;b=2">q</a>`,
		want: `<a href="https://q.example.com/longpath?a=1&amp;b=2">q</a>`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, changes := fixText(t, "a.html", tc.in, deadLinks)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			checkNote(t, changes, tc.note)
			again, _ := fixText(t, "a.html", got, deadLinks)
			if again != got {
				t.Errorf("second run changed it again:\n%s", again)
			}
		})
	}
}

func TestPlanRefusesMismatchAndOverlap(t *testing.T) {
	content := []byte("see " + deadURL + "\n")
	_, err := Plan(content, sources.FormatText, []Edit{{Start: 4, End: 9, Raw: "nope!", URL: deadURL}})
	if err == nil || !strings.Contains(err.Error(), "not \"nope!\"") {
		t.Errorf("raw mismatch: %v", err)
	}
	_, err = Plan(content, sources.FormatText, []Edit{{Start: 4, End: 400, Raw: "x", URL: deadURL}})
	if err == nil {
		t.Error("out of range: no error")
	}
	cp := &Copy{URL: waybackCopy(deadURL)}
	e := Edit{Start: 4, End: 4 + len(deadURL), Raw: deadURL, URL: deadURL, Dead: true, Copy: cp}
	_, err = Plan(content, sources.FormatText, []Edit{e, e})
	if err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("overlap: %v", err)
	}
	_, err = Apply(content, []Change{{Splices: []Splice{{Start: 0, End: 3, Old: "xyz", New: "abc"}}}})
	if err == nil {
		t.Error("Apply: stale splice accepted")
	}
}

func TestWantsCopy(t *testing.T) {
	in := "a " + deadURL + " [archived: " + waybackCopy(deadURL) + "]\nb https://other.example.com/x\n"
	d, edits := editsFor(t, "a.txt", in, nil)
	var got []bool
	for _, e := range edits {
		got = append(got, d.WantsCopy(e))
	}
	// The archived one, its copy, and the new one.
	if len(got) != 3 || got[0] || got[1] || !got[2] {
		t.Errorf("WantsCopy = %v", got)
	}
}

func checkNote(t *testing.T, changes []Change, want string) {
	t.Helper()
	var notes []string
	for _, c := range changes {
		if c.Note != "" {
			notes = append(notes, c.Note)
		}
	}
	if want == "" {
		if len(notes) > 0 {
			t.Errorf("unexpected notes %q", notes)
		}
		return
	}
	for _, n := range notes {
		if strings.Contains(n, want) {
			return
		}
	}
	t.Errorf("notes %q: want one containing %q", notes, want)
}
