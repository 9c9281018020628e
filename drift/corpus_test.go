package drift

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// corpusCase is one labelled pair: the cited copy, the page now, and
// whether it must count as drifted.
type corpusCase struct {
	name     string
	ref, cur string
	drifted  bool
}

// corpus builds the labelled cases from testdata/corpus: light edits of
// every base (must not drift) and drifted variants.
func corpus(t testing.TB) []corpusCase {
	t.Helper()
	bases := map[string]string{}
	var names []string
	files, err := filepath.Glob("testdata/corpus/base-*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "base-"), ".txt")
		bases[n] = string(b)
		names = append(names, n)
	}
	var cs []corpusCase
	add := func(name, ref, cur string, drifted bool) {
		cs = append(cs, corpusCase{name, ref, cur, drifted})
	}
	for i, n := range names {
		b := bases[n]
		// Light edits: must not drift.
		add(n+"/same", b, b, false)
		add(n+"/typo fixed", misspell(b, 40), b, false)
		add(n+"/typo introduced", b, misspell(b, 75), false)
		add(n+"/date changed", b, changeDates(b), false)
		add(n+"/update line", b, addUpdateLine(b), false)
		add(n+"/correction at end", b, addCorrection(b), false)
		add(n+"/related rotated", withRelated(b, relatedA), withRelated(b, relatedB), false)
		add(n+"/comments grew", b, addComments(b), false)
		add(n+"/counters", b, changeCounters(b), false)
		add(n+"/furniture", b, addFurniture(b), false)
		add(n+"/paragraph added", b, addParagraph(b), false)
		add(n+"/sentence reworded", b, rewordSentence(b), false)
		add(n+"/typography", b, typography(b), false)
		add(n+"/all light at once", withRelated(b, relatedA),
			addComments(changeCounters(addFurniture(addUpdateLine(changeDates(withRelated(b, relatedB)))))), false)

		// Drifted.
		if rw, err := os.ReadFile(filepath.Join("testdata/corpus", "rewrite-"+n+".txt")); err == nil {
			add(n+"/rewritten", b, string(rw), true)
			add(n+"/rewritten, comments", b, addComments(string(rw)), true)
		}
		other := bases[names[(i+1)%len(names)]]
		add(n+"/different article", b, other, true)
		add(n+"/different article, same furniture", b, addFurniture(withRelated(other, relatedA)), true)
		add(n+"/kept 40%", b, keepShare(b, 0.4), true)
		add(n+"/kept half", b, keepShare(b, 0.5), true)
		add(n+"/second half replaced", b, keepShare(b, 0.5)+"\n\n"+dropShare(other, 0.5), true)
		add(n+"/teaser only", b, keepShare(b, 0.3)+"\n\nThe full story appears in the printed edition.\n", true)
	}
	return cs
}

var (
	relatedA = []string{"Library to open on Sundays from next month", "Parking charges rise at the station car park", "School wins regional robotics prize"}
	relatedB = []string{"Storm brings down trees along the ring road", "New cycle lane divides opinion", "Market hall reopens after two years", "Choir to tour three cities this winter"}
)

func paragraphs(s string) []string { return strings.Split(strings.TrimSpace(s), "\n\n") }

func join(ps []string) string { return strings.Join(ps, "\n\n") + "\n" }

// misspell swaps two letters of the n-th word longer than five letters.
func misspell(s string, n int) string {
	words := regexp.MustCompile(`[a-z]{6,}`).FindAllStringIndex(s, -1)
	w := words[n%len(words)]
	b := []byte(s)
	b[w[0]+2], b[w[0]+3] = b[w[0]+3], b[w[0]+2]
	return string(b)
}

var reDate = regexp.MustCompile(`\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}|(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4}`)

func changeDates(s string) string {
	return reDate.ReplaceAllString(s, "Tuesday 27 October 2026")
}

func addUpdateLine(s string) string {
	ps := paragraphs(s)
	up := "Update, 5 June 2025, 10:42: This article has been updated with a response from the people it mentions."
	return join(append(ps[:2:2], append([]string{up}, ps[2:]...)...))
}

func addCorrection(s string) string {
	return s + "\nCorrection: an earlier version of this page misspelt a name. It was corrected on 7 July 2025.\n"
}

var reRelated = regexp.MustCompile(`(?m)^(Related|You may also like)\n(.+\n)+`)

// withRelated puts a related box with these titles in place of the page's
// own, or at the end when it has none.
func withRelated(s string, titles []string) string {
	box := "Related\n" + strings.Join(titles, "\n") + "\n"
	if reRelated.MatchString(s) {
		return reRelated.ReplaceAllLiteralString(s, box)
	}
	return s + "\n" + box
}

func addComments(s string) string {
	if !strings.Contains(s, "Comments (") && !strings.Contains(s, "Comments\n") {
		s += "\nComments (3)\n"
	}
	return s + `
Jo Lindqvist, 2 days ago
I have been following this for a long time and I think the writer missed the most important point, which is who will pay for all of it in the end and whether anyone asked the people affected.

Sam Okafor, 1 day ago
Thanks for writing this up so clearly. I shared it with my neighbours and we are going to bring it up at the next residents meeting, because nobody had explained it to us before.

Priya N., 5 hours ago
Does anyone know whether there will be a follow up? The last paragraph suggests more is coming but I could not find anything on the site about it yet.
`
}

var reCounter = regexp.MustCompile(`[\d,]+ views|Comments \(\d+\)|\d+ min read`)

func changeCounters(s string) string {
	return reCounter.ReplaceAllStringFunc(s, func(m string) string {
		return regexp.MustCompile(`[\d,]+`).ReplaceAllString(m, "3,877")
	})
}

func addFurniture(s string) string {
	ps := paragraphs(s)
	var out []string
	out = append(out, "We use cookies to improve your experience. Accept all | Manage settings")
	for i, p := range ps {
		out = append(out, p)
		if i == 1 {
			out = append(out, "Share on Facebook | Share on LinkedIn | Share on Reddit")
		}
		if i == 3 {
			out = append(out, "Advertisement")
		}
	}
	out = append(out, "Sign up for our newsletter", "© 2026 The Publisher. All rights reserved.")
	return join(out)
}

func addParagraph(s string) string {
	ps := paragraphs(s)
	extra := "A spokesperson later added that further details would be made available once the work had been reviewed by an independent panel, and that questions could be sent by email in the meantime."
	m := len(ps) / 2
	return join(append(ps[:m:m], append([]string{extra}, ps[m:]...)...))
}

// rewordSentence replaces the last sentence of the longest paragraph.
func rewordSentence(s string) string {
	ps := paragraphs(s)
	long := 0
	for i, p := range ps {
		if len(p) > len(ps[long]) {
			long = i
		}
	}
	p := ps[long]
	i := strings.LastIndex(strings.TrimSuffix(p, "."), ". ")
	ps[long] = p[:i+2] + "The editors reworded this sentence after publication to make its meaning clearer."
	return join(ps)
}

func typography(s string) string {
	s = strings.ReplaceAll(s, "'", "’")
	s = strings.ReplaceAll(s, "fi", "ﬁ") // a ligature NFKC undoes
	return strings.ReplaceAll(s, " - ", " — ")
}

// keepShare keeps the leading paragraphs up to share of the words.
func keepShare(s string, share float64) string {
	total := len(strings.Fields(s))
	var out []string
	n := 0
	for _, p := range paragraphs(s) {
		if float64(n+len(strings.Fields(p))) > share*float64(total) && len(out) > 0 {
			break
		}
		out = append(out, p)
		n += len(strings.Fields(p))
	}
	return join(out)
}

// dropShare drops the leading paragraphs up to share of the words.
func dropShare(s string, share float64) string {
	kept := keepShare(s, share)
	return strings.TrimPrefix(s, strings.TrimSuffix(kept, "\n"))
}

type score struct{ tp, fp, fn, tn, lightFlagged int }

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func scoreAt(cs []corpusCase, sims []float64, threshold float64) score {
	var sc score
	for i, c := range cs {
		flagged := sims[i] < threshold
		switch {
		case flagged && c.drifted:
			sc.tp++
		case flagged && !c.drifted:
			sc.fp++
			sc.lightFlagged++
		case !flagged && c.drifted:
			sc.fn++
		default:
			sc.tn++
		}
	}
	return sc
}

// TestCorpus checks the defaults on the labelled corpus: precision and
// recall of drifted at least 0.95 and no light edit flagged. With -v it
// prints the experiment the defaults were chosen from (docs/architecture.md).
func TestCorpus(t *testing.T) {
	cs := corpus(t)
	measures := map[string]func(a, b Fingerprint) float64{
		"containment": Containment,
		"jaccard":     Jaccard,
	}
	for _, mname := range []string{"containment", "jaccard"} {
		for k := 2; k <= 6; k++ {
			sims := make([]float64, len(cs))
			lightMin, driftMax := 1.0, 0.0
			for i, c := range cs {
				sims[i] = measures[mname](NewFingerprint(c.ref, k), NewFingerprint(c.cur, k))
				if c.drifted {
					driftMax = max(driftMax, sims[i])
				} else {
					lightMin = min(lightMin, sims[i])
				}
			}
			var best []string
			for th := 0.30; th < 0.96; th += 0.05 {
				sc := scoreAt(cs, sims, th)
				if sc.precision() >= 0.95 && sc.recall() >= 0.95 && sc.lightFlagged == 0 {
					best = append(best, fmt.Sprintf("%.2f", th))
				}
			}
			t.Logf("%-11s k=%d  lowest light %.3f  highest drifted %.3f  thresholds meeting the bar: %v",
				mname, k, lightMin, driftMax, best)
		}
	}

	sims := make([]float64, len(cs))
	light, drifted := 0, 0
	for i, c := range cs {
		sims[i] = Similarity(c.ref, c.cur)
		if c.drifted {
			drifted++
		} else {
			light++
		}
		if testing.Verbose() {
			t.Logf("%.3f drifted=%-5v %s", sims[i], c.drifted, c.name)
		}
	}
	sc := scoreAt(cs, sims, DefaultThreshold)
	t.Logf("defaults (containment, k=%d, threshold %.2f): %d cases (%d light, %d drifted), precision %.3f, recall %.3f, light flagged %d",
		DefaultShingle, DefaultThreshold, len(cs), light, drifted, sc.precision(), sc.recall(), sc.lightFlagged)
	if sc.precision() < 0.95 || sc.recall() < 0.95 || sc.lightFlagged > 0 {
		for i, c := range cs {
			if (sims[i] < DefaultThreshold) != c.drifted {
				t.Errorf("%s: similarity %.3f, want drifted=%v", c.name, sims[i], c.drifted)
			}
		}
		t.Fatalf("precision %.3f, recall %.3f, light edits flagged %d", sc.precision(), sc.recall(), sc.lightFlagged)
	}
}
