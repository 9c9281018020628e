package sources

// Join rules for a break inside one segment: a wrap that left a space (or
// a newline) inside an id or inside the last word of a path.

import "fmt"

// idSegment returns the id-like segment that ends s: the run after the last
// '-', '/', '_' or '=' when it mixes upper-case letters and digits
// ("idUSKCN0T3"); "" otherwise.
func idSegment(s string) string {
	i := len(s)
	for i > 0 && isAlnum(s[i-1]) {
		i--
	}
	seg := s[i:]
	if i == 0 || len(seg) < 4 {
		return ""
	}
	upper, digits := 0, 0
	for k := 0; k < len(seg); k++ {
		switch {
		case isUpper(seg[k]):
			upper++
		case isDigit(seg[k]):
			digits++
		}
	}
	if upper < 2 || digits == 0 {
		return ""
	}
	return seg
}

// upperIDHead returns the run of upper-case letters and digits that starts
// s when it holds a digit and no lower-case letter follows it in the run
// ("0KV20151103", "OH20150927"); "" otherwise.
func upperIDHead(s string) string {
	j, digits := 0, 0
	for j < len(s) && (isUpper(s[j]) || isDigit(s[j])) {
		if isDigit(s[j]) {
			digits++
		}
		j++
	}
	if j < 2 || digits == 0 || j < len(s) && isLower(s[j]) {
		return ""
	}
	return s[:j]
}

// "…-idUSKCN0T3 0KV20151103": an upper-case id cut in two by a wrap that
// left a space or a newline. Both halves have the id's shape, and the
// continuation has no lower-case letter, so it is not prose.
func weighSplitID(jc *joinCase) float64 {
	if jc.b.inHost() || idSegment(jc.left) == "" || upperIDHead(jc.core) == "" {
		return 0
	}
	if !jc.br.newline && jc.br.spaces > 1 {
		return 0
	}
	return 5
}

func whySplitID(jc *joinCase) string {
	return fmt.Sprintf("id %q goes on with %q", idSegment(jc.left), upperIDHead(jc.core))
}

// "…/2015/11/roma n/": a space inside the last path segment, found from a
// continuation of a few lower-case letters that closes the segment with '/'
// ("n/"): a word of prose is not followed by a slash.
func weighSegmentTail(jc *joinCase) float64 {
	if jc.br.newline || jc.br.spaces != 1 || jc.b.inHost() || !isLower(jc.leftLast()) {
		return 0
	}
	j := 0
	for j < len(jc.core) && isLower(jc.core[j]) {
		j++
	}
	if j == 0 || j > 3 || j >= len(jc.core) || jc.core[j] != '/' {
		return 0
	}
	if slashWords[lowerASCII(jc.core)] || j >= 2 && isWord(jc.core[:j]) {
		return 0 // "and/or", "to/from": prose
	}
	return 6
}

func whySegmentTail(jc *joinCase) string {
	return fmt.Sprintf("%q closes the path segment the space cut", clip(jc.core))
}

// "…/wiki/Battle_of_" + "Kobani": a path that writes spaces as '_' does not
// end with one; the next word is the title's next word, capitalised or not.
func weighUnderscoreSlug(jc *joinCase) float64 {
	if jc.leftLast() != '_' || jc.b.inHost() {
		return 0
	}
	seg := jc.left[lastIndexAny(jc.left, "/=")+1:]
	if count(seg, '_') < 2 || !isAlnum(jc.core[0]) {
		return 0
	}
	return 5
}

func lastIndexAny(s, chars string) int {
	for i := len(s) - 1; i >= 0; i-- {
		for k := 0; k < len(chars); k++ {
			if s[i] == chars[k] {
				return i
			}
		}
	}
	return -1
}

func whyUnderscoreSlug(jc *joinCase) string {
	return "a title written with '_' for spaces does not end with '_'"
}
