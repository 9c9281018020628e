package sources

// Join rules about the shape of the continuation: ids, slugs, path
// characters and file extensions argue for joining; prose words,
// capitalised sentence starts and page numbers against.

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// "…/tahrirnews/335" + "3653": digits on both sides of the break.
func weighNumberSplit(jc *joinCase) float64 {
	if isDigit(jc.leftLast()) && allDigits(trimExt(jc.core)) {
		return 1
	}
	return 0
}

// trimExt drops a known file extension: "9749940.html" → "9749940".
func trimExt(s string) string {
	if ext := fileExtOf(s); ext != "" {
		return s[:len(s)-len(ext)-1]
	}
	return s
}

// A short number alone on the next line is a page or footnote number.
func weighPageNumber(jc *joinCase) float64 {
	if !jc.br.newline || jc.rest != "" || !allDigits(jc.core) || len(jc.core) > 4 {
		return 0
	}
	switch c := jc.leftLast(); {
	case c == '-' || c == '=' || c == '%' || c == '_' || isDigit(c):
		return 0
	}
	return -4
}

func whyPageNumber(jc *joinCase) string {
	return fmt.Sprintf("lone number %q on its own line reads as a page number", jc.core)
}

func weighURLOnlyStart(jc *joinCase) float64 {
	c := jc.core[0]
	switch {
	case c == '/' && jc.leftLast() == '/':
		return -2 // "…/" + "/etc/hosts" would double the slash
	case c == '#' && !jc.br.newline && isLetterWord(jc.core[1:]):
		return 1.5 // "#word" after a space is as likely a hashtag
	case c == '/' && !jc.br.newline && jc.leftLast() != '/':
		return 3.5
	case strings.IndexByte("/?#&=%_~", c) >= 0:
		return 3.5
	case c == '.' && !jc.b.inHost() && fileExtOf(jc.core) == lowerASCII(jc.core[1:]):
		return 3.5 // ".html" alone: the extension of the line above
	case c == '.' && !jc.b.inHost() && len(jc.core) > 1 && isAlnum(jc.core[1]):
		return 2
	}
	return 0
}

func whyURLOnlyStart(jc *joinCase) string {
	if weighURLOnlyStart(jc) < 0 {
		return "joining would double the '/'"
	}
	return fmt.Sprintf("continuation starts with %q", jc.core[0])
}

// slashWords are prose tokens with a slash that are not URL paths.
var slashWords = setOf(`and/or either/or he/she his/her him/her s/he yes/no on/off input/output read/write w/o`)

func weighPathChars(jc *joinCase) float64 {
	c := jc.core
	if strings.IndexByte(c, '/') > 0 && slashWords[strings.ToLower(c)] {
		return -2
	}
	slashes, segs := 0, 0
	for i := 0; i < len(c); i++ {
		if c[i] == '/' {
			slashes++
		} else if i == 0 || c[i-1] == '/' {
			segs++
		}
	}
	inner := c[1:]
	switch {
	case slashes >= 2 && segs >= 2:
		return 4
	case strings.ContainsAny(inner, "/=&%#_~"),
		strings.IndexByte(inner, '?') >= 0 && inner[len(inner)-1] != '?':
		return 3
	}
	return 0
}

func whyPathChars(jc *joinCase) string {
	if w := weighPathChars(jc); w < 0 {
		return fmt.Sprintf("%q is prose", jc.core)
	} else if w == 4 {
		return fmt.Sprintf("continuation %q is a path", clip(jc.core))
	}
	return fmt.Sprintf("continuation %q contains URL-only characters", clip(jc.core))
}

// IDs: letters mixed with digits ("e-a39862", "200B", "L335"), long numbers.
func weighIDShape(jc *joinCase) float64 {
	c := trimExt(jc.core)
	digits, letters, hyphen := 0, 0, false
	for i := 0; i < len(c); i++ {
		switch {
		case isDigit(c[i]):
			digits++
		case isLetter(c[i]):
			letters++
		case c[i] == '-':
			hyphen = true
		}
	}
	if digits > 0 && (letters > 0 || hyphen) || digits >= 5 {
		return 2
	}
	return 0
}

func whyIDShape(jc *joinCase) string {
	return fmt.Sprintf("continuation %q has slug/ID shape (digits in it)", clip(jc.core))
}

// Slugs: lowercase words joined by hyphens, "fort-with-us-to-fight".
func weighSlugShape(jc *joinCase) float64 {
	parts := slugParts(strings.TrimRight(jc.core, "/-"))
	switch {
	case parts >= 4:
		return 2.5
	case parts >= 2 && (jc.br.newline || jc.rest == ""):
		return 1.5
	case parts >= 2:
		return 0.5
	}
	return 0
}

// slugParts counts the hyphen-joined lowercase alphanumeric words of c, or
// returns 0 when c is not of that shape.
func slugParts(c string) int {
	parts, n := 1, 0
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; {
		case ch == '-':
			if n == 0 {
				return 0
			}
			parts, n = parts+1, 0
		case isLower(ch) || isDigit(ch):
			n++
		default:
			return 0
		}
	}
	if n == 0 || parts < 2 || !hasLetter(c) {
		return 0
	}
	return parts
}

func whySlugShape(jc *joinCase) string {
	if slugParts(strings.TrimRight(jc.core, "/-")) >= 4 {
		return fmt.Sprintf("continuation %q is a long slug", clip(jc.core))
	}
	return fmt.Sprintf("continuation %q is words joined by hyphens", clip(jc.core))
}

func weighContFileExt(jc *joinCase) float64 {
	if ext := fileExtOf(jc.core); ext != "" && len(jc.core) > len(ext)+1 {
		return 2
	}
	return 0
}

func whyContFileExt(jc *joinCase) string {
	return fmt.Sprintf("continuation ends in .%s", fileExtOf(jc.core))
}

func weighProseWord(jc *joinCase) float64 {
	if jc.plainWord() && len(jc.core) <= 12 && isProseWord(lowerASCII(jc.core)) {
		return -3
	}
	return 0
}

func whyProseWord(jc *joinCase) string { return fmt.Sprintf("%q reads as prose", jc.core) }

// lowerASCII lowercases s, allocating only when it has upper-case letters.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if isUpper(s[i]) {
			return strings.ToLower(s)
		}
	}
	return s
}

// A capitalised word ("The", "CISA") begins a sentence, not a path segment;
// mixed case ("PXEThief") does not say that.
func weighCapitalised(jc *joinCase) float64 {
	if !jc.plainWord() {
		return 0
	}
	r, n := utf8.DecodeRuneInString(jc.core)
	if !unicode.IsUpper(r) {
		return 0
	}
	upper, lower := 0, 0
	for _, r := range jc.core[n:] {
		if unicode.IsUpper(r) {
			upper++
		} else {
			lower++
		}
	}
	if upper == 0 || lower == 0 {
		return -2.5
	}
	return 0
}

func whyCapitalised(jc *joinCase) string {
	return fmt.Sprintf("capitalised word %q starts a sentence", jc.core)
}

// More words after a plain-word continuation: the next line is prose.
func weighProseLine(jc *joinCase) float64 {
	if closesSentence(jc) {
		return 0 // the rest is the next sentence, not this token's
	}
	words, inWord := 0, false
	for _, r := range jc.rest {
		switch {
		case r == ' ' || r == '\t':
			inWord = false
		case !inWord:
			inWord = true
			if unicode.IsLetter(r) {
				words++
			}
		}
	}
	switch {
	case words < 2:
		return 0
	case jc.plainWord():
		return -1.5
	case !hasLetter(jc.core):
		return -1.75 // a number or date followed by prose: a dateline, a count
	}
	return -0.75 // a wrapped URL tail can be followed by prose; weaker
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if isLetter(s[i]) {
			return true
		}
	}
	return false
}

// "…/htg602/\nhistory." — one word alone on its line that closes the sentence
// is ungrammatical as prose after a URL; a wrapped path tail looks like that.
func weighLoneToken(jc *joinCase) float64 {
	switch {
	case !jc.br.newline:
		return 0
	case closesSentence(jc):
		return 1
	case jc.rest == "":
		return 0.5
	}
	return 0
}

// closesSentence reports whether the continuation is one token that ends the
// sentence ("history.") with nothing after it on the line but the start of
// the next sentence.
func closesSentence(jc *joinCase) bool {
	if !strings.ContainsAny(jc.tail, ".),;!?") {
		return false
	}
	if jc.rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(jc.rest)
	return strings.ContainsAny(jc.tail, ".!?") && unicode.IsUpper(r)
}

func whyLoneToken(jc *joinCase) string {
	if closesSentence(jc) {
		return fmt.Sprintf("%q alone closes the sentence after the URL", jc.cont)
	}
	return fmt.Sprintf("%q stands alone on its line", jc.cont)
}

func weighUnknownWord(jc *joinCase) float64 {
	w := jc.core
	if len(w) >= 3 && len(w) <= 24 && isLetterWord(w) && !isWord(lowerASCII(w)) {
		return 0.5
	}
	return 0
}

func isLetterWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isLetter(w[i]) {
			return false
		}
	}
	return w != ""
}

func whyUnknownWord(jc *joinCase) string {
	return fmt.Sprintf("%q is not an English word", jc.core)
}
