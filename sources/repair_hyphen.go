package sources

import (
	"fmt"
	"strings"
)

// hyphenVerdict says whether a hyphen at a line break was inserted by the
// typesetter (remove it) or is the URL's own (keep it).
type hyphenVerdict struct {
	remove  bool
	score   float64 // positive argues for removing
	reasons []string
	maxConf float64 // an upper bound on the confidence; 1 when none
}

// hyphenRule is one named piece of evidence about a hyphen at a break.
type hyphenRule struct {
	name string
	fn   func(*joinCase, *hyphenFacts) (float64, string)
}

// hyphenFacts are the pieces around the hyphen: "…joint-ef-" + "fort-with…"
// gives before "ef" and after "fort".
type hyphenFacts struct {
	before string // lowercase letters just before the hyphen
	after  string // lowercase letters at the start of the continuation
}

var hyphenRules = []hyphenRule{
	{"inside id", hyphenInsideID},
	{"foreign prefix", hyphenForeignPrefix},
	{"hex id", hyphenHexID}, // before "non-letter follows": ids may go on with a digit
	{"uuid", hyphenUUID},
	{"line range", hyphenLineRange},
	{"non-letter follows", hyphenBeforeNonLetter},
	{"title", hyphenTitle},
	{"context spelling", hyphenContext},
	{"dictionary", hyphenDictionary},
	{"url style default", hyphenDefault},
}

// decideHyphen runs the hyphen rules for a join whose left part ends in '-'.
func (e *extractor) decideHyphen(jc *joinCase) hyphenVerdict {
	v := hyphenVerdict{maxConf: 1}
	body := jc.left[:len(jc.left)-1]
	i := len(body)
	for i > 0 && isLetter(body[i-1]) {
		i--
	}
	f := &hyphenFacts{before: strings.ToLower(body[i:]), after: jc.contHead()}
	for _, r := range hyphenRules {
		w, why := r.fn(jc, f)
		if w == 0 && why == "" {
			continue
		}
		v.score += w
		if why != "" {
			v.reasons = append(v.reasons, why)
		}
		if w >= 4 || w <= -4 {
			break // decisive: the rest would only add noise
		}
	}
	if jc.b.inHost() {
		v.maxConf = 0.55
		v.reasons = append(v.reasons, "a hyphen is legal in a host name: only DNS can tell")
	}
	v.remove = v.score > 0
	return v
}

// "-9749940.html", "-%D8%A7", "-/": an inserted hyphen splits a word, so a
// hyphen before a digit or a URL character is the URL's own.
func hyphenBeforeNonLetter(jc *joinCase, _ *hyphenFacts) (float64, string) {
	c := jc.core[0]
	if isLetter(c) || c >= 0x80 {
		return 0, ""
	}
	return -4, fmt.Sprintf("hyphen before %q is the URL's own", c)
}

// GitHub line ranges "#L323-L335".
func hyphenLineRange(jc *joinCase, _ *hyphenFacts) (float64, string) {
	k := strings.LastIndex(jc.left, "#L")
	if k < 0 || len(jc.core) < 2 || jc.core[0] != 'L' || !isDigit(jc.core[1]) {
		return 0, ""
	}
	frag := jc.left[k+2 : len(jc.left)-1]
	frag = strings.TrimPrefix(frag, "L")
	for i := 0; i < len(frag); i++ {
		if !isDigit(frag[i]) && frag[i] != 'C' {
			return 0, ""
		}
	}
	return -4, "line range L…-L… keeps its hyphen"
}

// A UUID's groups are 8-4-4-4-12 hex digits joined by hyphens.
func hyphenUUID(jc *joinCase, _ *hyphenFacts) (float64, string) {
	seg := jc.left[strings.LastIndexByte(jc.left, '/')+1:]
	groups := strings.Split(strings.TrimSuffix(seg, "-"), "-")
	want := []int{8, 4, 4, 4}
	if len(groups) > len(want) {
		return 0, ""
	}
	for i, g := range groups {
		if len(g) != want[i] || !isHexString(g) {
			return 0, ""
		}
	}
	return -4, "hyphen separates UUID groups"
}

// A 40-hex commit id (or 64-hex digest) cannot contain '-': a hyphen inside
// one was inserted at the break.
func hyphenHexID(jc *joinCase, _ *hyphenFacts) (float64, string) {
	body := jc.left[:len(jc.left)-1]
	i := len(body)
	for i > 0 && isHex(body[i-1]) {
		i--
	}
	if i == len(body) || i > 0 && body[i-1] != '/' {
		return 0, ""
	}
	j := 0
	for j < len(jc.core) && isHex(jc.core[j]) {
		j++
	}
	if j == 0 || j < len(jc.core) && strings.IndexByte("/?#.", jc.core[j]) < 0 {
		return 0, ""
	}
	if n := len(body) - i + j; n == 40 || n == 64 {
		return 5, fmt.Sprintf("a %d-hex id cannot contain '-'", n)
	}
	return 0, ""
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return s != ""
}

// The title spells the joined word ("Effort") or the two words ("Air
// Strikes").
func hyphenTitle(jc *joinCase, f *hyphenFacts) (float64, string) {
	if f.before == "" || f.after == "" {
		return 0, ""
	}
	ev := &jc.e.evi
	if ev.titleAdjacent(f.before, f.after) {
		return -3, fmt.Sprintf("title has %q and %q side by side", f.before, f.after)
	}
	if t, ok := ev.titleWord(f.before + f.after); ok {
		_, b := ev.titleWord(f.before)
		_, a := ev.titleWord(f.after)
		if !(a && b) {
			return 3, fmt.Sprintf("joining completes title word %q", t)
		}
	}
	return 0, ""
}

// The document names what it links to: "Foundation for Freedom Online" next
// to foundationforfreedom-\nonline.com spells the host without a hyphen.
func hyphenContext(jc *joinCase, f *hyphenFacts) (float64, string) {
	before, after := f.before, f.after
	if jc.b.inHost() {
		h := jc.b.host()
		h = h[strings.LastIndexByte(h, '.')+1:]
		before = strings.ToLower(strings.ReplaceAll(strings.TrimSuffix(h, "-"), "-", ""))
		after = strings.ToLower(jc.core)
		if k := strings.IndexAny(after, "./:?#"); k >= 0 {
			after = after[:k]
		}
	}
	if before == "" || after == "" || !isLowerWord(before) || !isLowerWord(after) {
		return 0, ""
	}
	merged := before + after
	if jc.b.inHost() {
		if run, ok := concatRun(jc.e.evi.contextWords(jc.b.start), merged); ok {
			return 2, fmt.Sprintf("%q is %q run together", merged, run)
		}
	}
	ev := &jc.e.evi
	switch {
	case ev.textHasWord(merged, jc.b.start, jc.contEnd):
		return 1.5, fmt.Sprintf("the text spells %q as one word", merged)
	case ev.textHasPair(before, after, jc.b.start, jc.contEnd):
		return -1.5, fmt.Sprintf("the text has %q and %q side by side", before, after)
	}
	return 0, ""
}

// Dictionary: "ef"+"fort" makes a word from a non-word, so the hyphen was
// inserted; "academic"+"documents" are two words, so it is the slug's.
func hyphenDictionary(jc *joinCase, f *hyphenFacts) (float64, string) {
	if len(f.before) < 2 || f.after == "" {
		return 0, ""
	}
	lw, cw, mw := isWord(f.before), isWord(f.after), isWord(f.before+f.after)
	switch {
	case !lw && mw:
		return 2.5, fmt.Sprintf("%q is a word and %q is not", f.before+f.after, f.before)
	case lw && cw && !mw:
		return -2, fmt.Sprintf("%q and %q are both words", f.before, f.after)
	case lw && !cw && mw && len(f.after) >= 2:
		return 2, fmt.Sprintf("%q is a word and %q is not", f.before+f.after, f.after)
	case lw && cw && mw:
		return 0, fmt.Sprintf("%q, %q and %q are all words", f.before, f.after, f.before+f.after)
	}
	return 0, ""
}

// Style guides tell writers not to add a hyphen when breaking a URL, and
// LaTeX's url package breaks after existing hyphens: without other evidence
// the hyphen is the URL's own.
func hyphenDefault(*joinCase, *hyphenFacts) (float64, string) {
	return -0.5, ""
}
