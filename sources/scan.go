package sources

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Byte classes for the ASCII range. The scanner looks every byte up once, so
// a table is much cheaper than a chain of comparisons.
const (
	clsURL   uint8 = 1 << iota // may appear in a URL's path, query or fragment
	clsHost                    // may appear in a host name (letters, digits, . - _ ~)
	clsAlnum                   // ASCII letter or digit
	clsHex                     // hexadecimal digit
	clsStart                   // may start a candidate: h H w W /
)

var byteClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] |= clsURL | clsHost | clsAlnum | clsHex
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= clsURL | clsHost | clsAlnum
		t[c-'a'+'A'] |= clsURL | clsHost | clsAlnum
	}
	for _, c := range "abcdefABCDEF" {
		t[c] |= clsHex
	}
	for _, c := range "-._~" {
		t[c] |= clsURL | clsHost
	}
	// RFC 3986 gen-delims and sub-delims, plus '%' and braces (URI
	// templates, balanced like parentheses). Double quotes, angle brackets,
	// backslash, '^', '`' and '|' end a URL in prose.
	for _, c := range ":/?#[]@!$&'()*+,;=%{}" {
		t[c] |= clsURL
	}
	for _, c := range "hHwW/" {
		t[c] |= clsStart
	}
	return t
}()

func isAlnum(c byte) bool  { return byteClass[c]&clsAlnum != 0 }
func isHex(c byte) bool    { return byteClass[c]&clsHex != 0 }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isLower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func lowerByte(c byte) byte {
	if isUpper(c) {
		return c + ('a' - 'A')
	}
	return c
}

// Invisible characters that text processing leaves inside URLs. They are
// consumed as part of the raw span and never copied into the URL.
const (
	invisNone = iota
	invisSoftHyphen
	invisZeroWidth
	invisMask // fills the place of an inline HTML tag (maskInlineTags)
)

// Mask characters: U+2060 WORD JOINER (3 bytes) and U+034F COMBINING
// GRAPHEME JOINER (2 bytes) fill any length from 2 bytes; both say "no
// break here", which is what a tag inside a URL is.
const (
	maskRune3 = '\u2060'
	maskRune2 = '\u034f'
)

func invisibleKind(r rune) int {
	switch {
	case r == 0xAD:
		return invisSoftHyphen
	case r == maskRune3 || r == maskRune2:
		return invisMask
	case r >= 0x200B && r <= 0x200F, // ZWSP, ZWNJ, ZWJ, LRM, RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings (copied RTL text)
		r >= 0x2060 && r <= 0x2064, // word joiner, invisible operators
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == 0xFEFF:
		return invisZeroWidth
	}
	return invisNone
}

// isURLRune decides whether a non-ASCII rune continues a URL (an IRI).
// Letters, digits and combining marks of every script do, CJK included, and
// so do symbols (emoji, ✪, ☃) and the en dash, which titles put in paths
// ("2008–09"). Punctuation and spaces end it: ellipsis, curly quotes,
// guillemets, em dashes, and the CJK and full-width punctuation a reader of
// those scripts stops at (。、」），：).
func isURLRune(r rune) bool {
	switch {
	case r == 0x2013: // en dash
		return true
	case r >= 0x3000 && r <= 0x303F, // CJK symbols and punctuation
		r >= 0xFE10 && r <= 0xFE6F, // vertical, compatibility and small forms
		r >= 0xFF00 && r <= 0xFF65: // full-width ASCII and half-width punctuation
		return false
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
		return true
	}
	return unicode.Is(unicode.So, r) || r >= 0x1F000 && unicode.Is(unicode.Sk, r) // emoji skin tones
}

// isCJK reports whether r is Han, kana or Hangul: prose in those scripts
// follows a URL without a space, so it cannot be glued to an ASCII host.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// keepsJoiner reports whether a zero-width joiner or non-joiner between
// prev and next is the script's own (a Malayalam chillu after a virama, a
// Persian non-joiner between letters, an emoji sequence) rather than damage.
func keepsJoiner(r, prev, next rune) bool {
	if r != 0x200C && r != 0x200D || prev < 0x80 {
		return false
	}
	if isVirama(prev) {
		return true
	}
	return next >= 0x80 && isURLRune(next) && isURLRune(prev)
}

// isVirama reports whether r is the virama of an Indic script (U+094D,
// U+09CD, … U+0D4D, U+0DCA), after which a joiner selects a conjunct form.
func isVirama(r rune) bool {
	return r >= 0x0900 && r <= 0x0DFF && (r&0x7F == 0x4D || r == 0x0DCA)
}

// schemeMatch is an http(s) scheme found in the text, possibly defanged
// (hxxp, [:], [://]) or spaced (http: //host).
type schemeMatch struct {
	scheme   string // as written, or canonical "http"/"https" when defanged
	end      int    // index just past the "//"
	refanged bool
	spaced   bool
	entities bool // a separator was a character reference
}

// entityChar returns the length of c at s[i], written as itself or as an
// HTML character reference ("&#47;", "&#x2F;", "&sol;"); 0 when neither.
func entityChar(s string, i int, c byte) int {
	if i >= len(s) {
		return 0
	}
	if s[i] == c {
		return 1
	}
	if s[i] == '&' {
		if r, n, ok := parseEntity(s, i); ok && r == rune(c) {
			return n
		}
	}
	return 0
}

// matchScheme reports whether text[i:] starts an http(s) URL scheme.
func matchScheme(s string, i int) (schemeMatch, bool) {
	var m schemeMatch
	if i+7 > len(s) || lowerByte(s[i]) != 'h' || lowerByte(s[i+3]) != 'p' {
		return m, false
	}
	t1, t2 := lowerByte(s[i+1]), lowerByte(s[i+2])
	switch {
	case t1 == 't' && t2 == 't':
	case t1 == 'x' && t2 == 'x':
		m.refanged = true
	default:
		return m, false
	}
	j := i + 4
	if j < len(s) && lowerByte(s[j]) == 's' {
		j++
	}
	m.scheme = s[i:j]
	if m.refanged {
		m.scheme = "http" + strings.Repeat("s", j-i-4)
	}
	k := skipOneSpace(s, j)
	m.spaced = k != j
	slashes := false
	if n := entityChar(s, k, ':'); n > 1 {
		// "https&#58;&#47;&#47;host": separators written as character
		// references, in text and attribute values alike.
		if n2 := entityChar(s, k+n, '/'); n2 > 0 {
			if n3 := entityChar(s, k+n+n2, '/'); n3 > 0 {
				m.end, m.entities = k+n+n2+n3, true
				return m, true
			}
		}
		return m, false
	}
	switch {
	case strings.HasPrefix(s[k:], ":"):
		k++
	case strings.HasPrefix(s[k:], "[://]"), strings.HasPrefix(s[k:], "(://)"):
		k += 5
		slashes, m.refanged = true, true
	case strings.HasPrefix(s[k:], "[:]"), strings.HasPrefix(s[k:], "(:)"), strings.HasPrefix(s[k:], "{:}"):
		k += 3
		m.refanged = true
	default:
		return m, false
	}
	if !slashes {
		k2 := skipOneSpace(s, k)
		if k2 != k {
			m.spaced = true
		}
		n1 := entityChar(s, k2, '/')
		n2 := 0
		if n1 > 0 {
			n2 = entityChar(s, k2+n1, '/')
		}
		if n1 == 0 || n2 == 0 {
			return m, false
		}
		m.entities = n1 > 1 || n2 > 1
		k = k2 + n1 + n2
	}
	m.end = k
	return m, true
}

func skipOneSpace(s string, i int) int {
	if i < len(s) && s[i] == ' ' {
		return i + 1
	}
	return i
}

// defangDot returns the length of a defanged dot ("[.]", "(.)", "{.}", and in
// host names "[dot]") at s[i], or 0.
func defangDot(s string, i int, inHost bool) int {
	if i+3 > len(s) {
		return 0
	}
	open := s[i]
	var close byte
	switch open {
	case '[':
		close = ']'
	case '(':
		close = ')'
	case '{':
		close = '}'
	default:
		return 0
	}
	if s[i+1] == '.' && s[i+2] == close {
		return 3
	}
	if inHost && i+5 <= len(s) && strings.EqualFold(s[i+1:i+4], "dot") && s[i+4] == close {
		return 5
	}
	return 0
}

// prevAllowsBareStart reports whether the byte before a scheme-less URL lets
// it start there: a host glued to a path ("src/setup.py"), an e-mail address
// or a longer word is not a URL start.
func prevAllowsBareStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	c := s[i-1]
	if c >= utf8.RuneSelf {
		return true // «www…», “www…”, fullwidth colon
	}
	if isAlnum(c) {
		return false
	}
	switch c {
	case '.', '-', '/', '\\', '@', '~', '%', '&', '#', '?', '+', '$', '=':
		return false
	}
	return true
}

// matchWWW reports whether s[i:] starts a scheme-less "www." URL (the dot may
// be defanged).
func matchWWW(s string, i int) bool {
	if i+5 > len(s) || !strings.EqualFold(s[i:i+3], "www") || !prevAllowsBareStart(s, i) {
		return false
	}
	j := i + 3
	if s[j] == '.' {
		j++
	} else if n := spacedDot(s, j); n > 0 {
		j += n // "www . cisco . com/…": joinSpacedHost decides
	} else if n := defangDot(s, j, true); n > 0 {
		j += n
	} else {
		return false
	}
	if j < len(s) && s[j] >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(s[j:])
		return unicode.IsLetter(r) || unicode.IsDigit(r) // www.пример.рф
	}
	return j < len(s) && isAlnum(s[j])
}

// bareHostStart looks back from a '/' at s[slash] for a host name "label.tld"
// written without scheme or www (themoscowtimes.com/articles/…). It returns
// where the host starts. The TLD must be a real one and the host must not
// look like a file name (README.md, setup.py).
func bareHostStart(s string, slash, floor int) (int, bool) {
	if slash == 0 || !isLower(s[slash-1]) {
		return 0, false
	}
	k := slash
	lastDot, dots := -1, 0
	tldStart := -1
	for k > floor && slash-k < 253 {
		c := s[k-1]
		if byteClass[c]&clsHost != 0 && c != '~' {
			if c == '.' {
				dots++
				if tldStart < 0 {
					tldStart = k
				}
				lastDot = k - 1
			}
			k--
			continue
		}
		if c == ']' || c == ')' || c == '}' {
			if k >= 3 && defangDot(s, k-3, true) == 3 {
				dots++
				if tldStart < 0 {
					tldStart = k
				}
				k -= 3
				lastDot = k
				continue
			}
		}
		break
	}
	if dots == 0 || tldStart < 0 || lastDot == k || !prevAllowsBareStart(s, k) {
		return 0, false
	}
	host := s[k:slash]
	tld := s[tldStart:slash]
	if !isLetter(host[0]) && !isDigit(host[0]) || !knownTLD(tld) || !isLowerWord(tld) {
		return 0, false
	}
	if looksLikeFileName(s[k:tldStart], tld) {
		return 0, false
	}
	return k, true
}

func isLowerWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isLower(w[i]) {
			return false
		}
	}
	return w != ""
}

var refangDots = strings.NewReplacer("[.]", ".", "(.)", ".", "{.}", ".")

// looksLikeFileName tells "README.md" or "setup.py" from "point.md" or
// "bun.sh": the TLDs that are also common file extensions need a lowercase
// label that is not a usual file stem.
func looksLikeFileName(labels, tld string) bool {
	if !fileLikeTLDs[tld] {
		return false
	}
	name := strings.TrimSuffix(refangDots.Replace(labels), ".")
	for i := 0; i < len(name); i++ {
		if isUpper(name[i]) || name[i] == '_' {
			return true
		}
	}
	if j := strings.LastIndexByte(name, '.'); j >= 0 {
		name = name[j+1:]
	}
	return fileStems[name]
}
