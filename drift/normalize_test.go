package drift

import (
	"reflect"
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := map[string]string{
		"Updated 3 March 2024, 10:42 am":        "updated #",
		"Tuesday, 27 October 2026":              "#",
		"1,204 views · 5 min read":              "# views # min read",
		"The Council's ﬁnal vote":               "the council's final vote",
		"The Council’s final vote":              "the council's final vote",
		"ＦＵＬＬ width":                            "full width",
		"Straße über Café":                      "straße über café",
		"'quoted' words":                        "quoted words",
		"version 3.2 ships":                     "version # ships",
		"mixed a1b2 token":                      "mixed # token",
		"  ":                                    "",
		"Diese Meldung vom 3. März 2024 bleibt": "diese meldung vom # bleibt",
	}
	for in, want := range tests {
		if got := strings.Join(tokens(in, nil), " "); got != want {
			t.Errorf("tokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContentDropsFurniture(t *testing.T) {
	text := `A headline about the harbour
By Jo Smith | 3 March 2024
12 comments
We use cookies. Accept all
The harbour master said on Monday that the new quay would be finished before the summer season begins in earnest.
Advertisement
Related
Harbour fees rise again
Ferry timetable changes
The work had been delayed twice by storms, she said, but the contractor was now ahead of the revised schedule.
Share on Facebook | Share on X
Comments
Anna: what about the fishermen?
`
	got := strings.Join(content(text), " ")
	want := "a headline about the harbour " +
		"the harbour master said on #d that the new quay would be finished before the summer season begins in earnest " +
		"the work had been delayed twice by storms she said but the contractor was now ahead of the revised schedule"
	if got != want {
		t.Errorf("content =\n%s\nwant\n%s", got, want)
	}
}

// A one-word box header must stand alone: a heading that starts with the
// word is text.
func TestBoxHeaderExact(t *testing.T) {
	got := content("Popular uprisings of the nineteenth century\nShort line after it\n")
	if want := strings.Fields("popular uprisings of the nineteenth century short line after it"); !reflect.DeepEqual(got, want) {
		t.Errorf("content = %q", got)
	}
}

func TestSimilarityEdges(t *testing.T) {
	if s := Similarity("", "anything at all"); s != 1 {
		t.Errorf("empty reference: %v, want 1 (nothing cited to lose)", s)
	}
	if s := Similarity("some cited words here and more", ""); s != 0 {
		t.Errorf("empty current: %v, want 0", s)
	}
	if s := Similarity("two words", "two words"); s != 1 {
		t.Errorf("text shorter than a shingle, unchanged: %v", s)
	}
	if s := Similarity("two words", "other words"); s != 0 {
		t.Errorf("text shorter than a shingle, changed: %v", s)
	}
	v := Judge(Page{CitedURL: "https://x.example/a", Text: "anything"}, Options{})
	if v.Comparable || v.Drifted || v.Similarity != 1 {
		t.Errorf("no reference: %+v", v)
	}
	// A stricter threshold turns the same page drifted.
	base := readCorpus(t, "base-bridge.txt")
	cur := rewordSentence(base)
	if v := Judge(Page{Text: cur, RefText: base}, Options{Threshold: 0.99}); !v.Drifted {
		t.Errorf("threshold 0.99 did not flag a reworded sentence (%.3f)", v.Similarity)
	}
	if v := Judge(Page{Text: cur, RefText: base}, Options{}); v.Drifted {
		t.Errorf("default threshold flagged a reworded sentence (%.3f)", v.Similarity)
	}
}
