package drift

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzJudge: nothing panics, similarities stay in [0, 1], Jaccard is
// symmetric, a text is identical to itself, and the diffs keep every line.
// Seeds are in testdata/fuzz/FuzzJudge.
func FuzzJudge(f *testing.F) {
	f.Add("Title\n\nThe council voted on Tuesday.", "Title\n\nThe council voted on Monday.", "https://x.example/a/b", "https://x.example/")
	f.Add("", "", "", "")
	f.Add("ｆｕｌｌ ﬁ 3.5.2024 ’quoted’", "Comments\nRelated\n", "http://[::1]:80/?q=1", "%zz")
	f.Fuzz(func(t *testing.T, ref, cur, cited, final string) {
		a, b := NewFingerprint(ref, 0), NewFingerprint(cur, 0)
		for _, s := range []float64{Containment(a, b), Containment(b, a), Jaccard(a, b), Similarity(ref, cur)} {
			if !(s >= 0 && s <= 1) {
				t.Fatalf("similarity %v out of [0, 1]", s)
			}
		}
		if Jaccard(a, b) != Jaccard(b, a) {
			t.Fatalf("Jaccard not symmetric: %v vs %v", Jaccard(a, b), Jaccard(b, a))
		}
		if Jaccard(a, b) > Containment(a, b)+1e-12 && !a.Empty() {
			t.Fatalf("Jaccard %v above containment %v", Jaccard(a, b), Containment(a, b))
		}
		if s := Similarity(ref, ref); s != 1 {
			t.Fatalf("Similarity(x, x) = %v", s)
		}
		v := Judge(Page{CitedURL: cited, FinalURL: final, Title: cur, Text: cur, RefText: ref}, Options{})
		if !(v.Similarity >= 0 && v.Similarity <= 1) || v.Drifted && v.Replaced || v.Replaced != (v.Reason != "") {
			t.Fatalf("inconsistent verdict %+v", v)
		}
		// A second reading can only raise similarity; a truncated body
		// stays in range.
		alt := Judge(Page{CitedURL: cited, FinalURL: final, Text: cur, AltText: final + "\n" + ref, RefText: ref}, Options{})
		if v.Comparable && alt.Similarity < v.Similarity {
			t.Fatalf("AltText lowered similarity: %v < %v", alt.Similarity, v.Similarity)
		}
		if tr := Judge(Page{Text: cur, RefText: ref, Truncated: true}, Options{}); !(tr.Similarity >= 0 && tr.Similarity <= 1) {
			t.Fatalf("truncated similarity %v", tr.Similarity)
		}
		c := Changed(ref, cur, 3)
		if len(c.Removed) > 3 || len(c.Added) > 3 {
			t.Fatalf("Changed over its limit: %+v", c)
		}
		d := SideBySide(ref, cur, 0)
		left, right := 0, 0
		for _, r := range d.Rows {
			if r.LeftLine > 0 {
				left++
			}
			if r.RightLine > 0 {
				right++
			}
		}
		if left != nonBlank(ref) || right != nonBlank(cur) {
			t.Fatalf("side by side kept %d/%d left and %d/%d right lines", left, nonBlank(ref), right, nonBlank(cur))
		}
	})
}

func nonBlank(s string) int {
	n := 0
	for l := range strings.Lines(s) {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// FuzzLowered holds the hand-written loop to what it replaced: lower case,
// then every run of RE2's \s collapsed into one space.
func FuzzLowered(f *testing.F) {
	for _, s := range []string{"", "  Buy THIS\tdomain\r\n", "\v\u00a0x\f\fy", "ÉTÉ  À\nvendre", "\xff\xfe A"} {
		f.Add(s)
	}
	re := regexp.MustCompile(`\s+`)
	f.Fuzz(func(t *testing.T, s string) {
		want := re.ReplaceAllString(strings.ToLower(s), " ")
		if got := lowered(s); got != want {
			t.Errorf("lowered(%q) = %q, want %q", s, got, want)
		}
		if got, want := countWords(s), len(strings.Fields(s)); got != want {
			t.Errorf("countWords(%q) = %d, want %d", s, got, want)
		}
	})
}

// FuzzFindPhrase holds the one-pass phrase search to the plain one: the
// first phrase in list order that containsWord finds.
func FuzzFindPhrase(f *testing.F) {
	for _, s := range []string{"buy this domain now", "this domain is for sale", "xsedo sedo.", "dan.com/x", "domain expired domain has expired", "sign in to continue, please log in"} {
		f.Add(s)
	}
	sets := []*phraseSet{parkedPhrases, parkingProviders, expiredPhrases, suspendedPhrases, loginPhrases, passwordWords, wallPhrases, domainWords,
		newPhraseSet("-x", "a-b", "a", "é")}
	f.Fuzz(func(t *testing.T, s string) {
		s = lowered(s)
		for _, ps := range sets {
			want := ""
			for _, p := range ps.phrases {
				if containsWord(s, p) {
					want = p
					break
				}
			}
			if got := findPhrase(s, ps); got != want {
				t.Errorf("findPhrase(%q, %q) = %q, want %q", s, ps.phrases, got, want)
			}
		}
	})
}
