package drift

import (
	"hash/maphash"
	"slices"
)

// Defaults, chosen on the labelled corpus in testdata/corpus (see
// docs/architecture.md, "Content drift").
const (
	// DefaultThreshold: a page whose similarity to the cited copy is
	// below this has drifted.
	DefaultThreshold = 0.7
	// DefaultShingle is the number of words per shingle.
	DefaultShingle = 4
)

// Options tune the measure; zero fields take the defaults.
type Options struct {
	Threshold float64 // DefaultThreshold when 0
	Shingle   int     // DefaultShingle when 0
}

func (o Options) withDefaults() Options {
	if o.Threshold <= 0 {
		o.Threshold = DefaultThreshold
	}
	if o.Shingle <= 0 {
		o.Shingle = DefaultShingle
	}
	return o
}

// Fingerprint is a text reduced to what similarity compares: the sorted,
// distinct hashes of its word shingles. Computing it once lets a caller
// compare one reference copy with many checks.
type Fingerprint struct {
	shingles []uint64
	words    int
	k        int
}

// Words is the number of words that count (furniture removed).
func (f Fingerprint) Words() int { return f.words }

// Empty reports whether the text had no words that count.
func (f Fingerprint) Empty() bool { return f.words == 0 }

// seed is fixed per process; fingerprints are never stored, only
// compared within one process.
var seed = maphash.MakeSeed()

// NewFingerprint reduces text with shingles of k words (DefaultShingle
// when k <= 0).
func NewFingerprint(text string, k int) Fingerprint {
	if k <= 0 {
		k = DefaultShingle
	}
	return fromTokens(content(text), k)
}

// fromTokens makes the fingerprint of content tokens.
func fromTokens(toks []string, k int) Fingerprint {
	f := Fingerprint{words: len(toks), k: k}
	if len(toks) == 0 {
		return f
	}
	hs := make([]uint64, len(toks))
	for i, t := range toks {
		hs[i] = maphash.String(seed, t)
	}
	// A text shorter than a shingle is one shingle of all its words.
	w := min(k, len(hs))
	f.shingles = make([]uint64, 0, len(hs)-w+1)
	for i := 0; i+w <= len(hs); i++ {
		var h uint64 = 14695981039346656037
		for _, x := range hs[i : i+w] {
			h = (h ^ x) * 1099511628211
			h ^= h >> 29
		}
		f.shingles = append(f.shingles, h)
	}
	slices.Sort(f.shingles)
	f.shingles = slices.Compact(f.shingles)
	return f
}

// common counts the shingles two fingerprints share.
func common(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// Containment is the share of ref's shingles still found in cur: how much
// of what was cited the page still says. Text added to the page (an
// update note, a grown comment section, a new paragraph) does not lower
// it; text removed or rewritten does. An empty ref gives 1 (nothing was
// cited that could be lost); an empty cur against a non-empty ref, 0.
func Containment(ref, cur Fingerprint) float64 {
	if len(ref.shingles) == 0 {
		return 1
	}
	return float64(common(ref.shingles, cur.shingles)) / float64(len(ref.shingles))
}

// Jaccard is the symmetric resemblance of two fingerprints: shared
// shingles over all distinct shingles; 1 when both are empty.
func Jaccard(a, b Fingerprint) float64 {
	if len(a.shingles) == 0 && len(b.shingles) == 0 {
		return 1
	}
	c := common(a.shingles, b.shingles)
	return float64(c) / float64(len(a.shingles)+len(b.shingles)-c)
}

// Similarity is the drift measure between the reference copy's readable
// text and the current one, with default options: Containment of the
// reference's 4-word shingles after normalisation (case, NFKC, numbers
// and dates masked) and furniture removal (counters, share and cookie
// lines, related boxes, the comment section).
func Similarity(ref, cur string) float64 {
	return Containment(NewFingerprint(ref, DefaultShingle), NewFingerprint(cur, DefaultShingle))
}
