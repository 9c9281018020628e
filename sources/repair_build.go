package sources

import (
	"strings"
	"unicode/utf8"
)

// repairFlags records the deterministic clean-ups done while copying a URL.
type repairFlags uint16

const (
	fixEntities repairFlags = 1 << iota
	fixZeroWidth
	fixSoftHyphen
	fixRefanged
	fixSchemeSpaces
	fixEscaped
	fixInlineTags
)

// repairNames lists the clean-ups in the order they are reported, with the
// confidence each leaves: decoding an entity is near certain, removing spaces
// from "http: //" a little less.
var repairNames = []struct {
	flag repairFlags
	name string
	conf float64
}{
	{fixEntities, "decoded HTML entities", 0.99},
	{fixSoftHyphen, "removed soft hyphens", 0.98},
	{fixZeroWidth, "removed zero-width characters", 0.98},
	{fixRefanged, "refanged", 0.97},
	{fixSchemeSpaces, "removed spaces in scheme separator", 0.95},
	{fixEscaped, "percent-encoded stray characters", 0.95},
	{fixInlineTags, "removed inline HTML tags", 0.97},
}

// urlBuilder accumulates one URL: the cleaned bytes and, for each, where its
// source ends in the text, so trimming can move the raw end back.
type urlBuilder struct {
	out       []byte
	rawEnd    []int // rawEnd[k] is the text offset just past the source of out[k]
	start     int   // text offset where the raw span starts
	authStart int   // index in out where the host begins
	pathStart int   // index in out where the path begins; -1 while in the host
	hasScheme bool
	sawAt     bool
	sawPort   bool
	hostSoFar int  // host bytes copied before this builder (when reading ahead)
	checkHost bool // validate the host when the path starts (not when reading ahead)
	parens    int  // '(' not yet closed in the path
	brackets  int  // '[' not yet closed in the path
	braces    int  // '{' not yet closed in the path
	flags     repairFlags

	lastConsumed int  // text offset past the last byte consumed, invisibles included
	softBreak    bool // the run ended right after a soft hyphen
	zwBreak      bool // the run ended right after a zero-width character
}

func (b *urlBuilder) reset(start int) {
	b.out = b.out[:0]
	b.rawEnd = b.rawEnd[:0]
	b.start, b.authStart, b.pathStart = start, 0, -1
	b.hasScheme, b.sawAt, b.sawPort = false, false, false
	b.hostSoFar = 0
	b.parens, b.brackets, b.braces = 0, 0, 0
	b.checkHost = false
	b.flags = 0
	b.lastConsumed = start
	b.softBreak, b.zwBreak = false, false
}

func (b *urlBuilder) add(c byte, rawEnd int) {
	b.out = append(b.out, c)
	b.rawEnd = append(b.rawEnd, rawEnd)
	b.lastConsumed = rawEnd
	b.softBreak, b.zwBreak = false, false
}

func (b *urlBuilder) addString(s string, rawEnd int) {
	for i := 0; i < len(s); i++ {
		b.out = append(b.out, s[i])
		b.rawEnd = append(b.rawEnd, rawEnd)
	}
	b.lastConsumed = rawEnd
	b.softBreak, b.zwBreak = false, false
}

func (b *urlBuilder) inHost() bool { return b.pathStart < 0 }

// hostEmpty reports whether no byte of the host has been copied yet.
func (b *urlBuilder) hostEmpty() bool { return len(b.out)-b.authStart+b.hostSoFar == 0 }

// schemeOnly reports whether nothing but "scheme://" has been copied yet.
func (b *urlBuilder) schemeOnly() bool { return b.hasScheme && len(b.out) == b.authStart }

func (b *urlBuilder) host() string {
	if b.pathStart < 0 {
		return string(b.out[b.authStart:])
	}
	return string(b.out[b.authStart:b.pathStart])
}

// scanRun copies URL characters from s[i:] until something that cannot be in
// a URL (whitespace, a quote, prose punctuation, invalid UTF-8) and returns
// where it stopped. Invisible characters are consumed and dropped; entities
// are decoded; defanged dots are refanged.
func (b *urlBuilder) scanRun(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			var n int
			if b.inHost() {
				n = b.hostStep(s, i)
			} else {
				n = b.pathStep(s, i)
			}
			if n == 0 {
				return i
			}
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		if k := invisibleKind(r); k != invisNone {
			if b.keepJoiner(r, s, i+size) {
				b.addString(s[i:i+size], i+size)
			} else {
				b.noteInvisible(k, i+size)
			}
			i += size
			continue
		}
		if !isURLRune(r) {
			return i
		}
		if isCJK(r) && len(b.out) > b.authStart && isAlnum(b.out[len(b.out)-1]) && b.asciiSegment() {
			// "example.comを参照", "…/page了解更多": CJK prose glued to an
			// ASCII host or path segment; "…/wiki/北京" and "…/東京2" go on.
			return i
		}
		b.addString(s[i:i+size], i+size)
		i += size
	}
	return i
}

// asciiSegment reports whether the host or path segment being copied (since
// the last '/', '.', '?', '#', '=' or '&') is all ASCII so far.
func (b *urlBuilder) asciiSegment() bool {
	for k := len(b.out) - 1; k >= b.authStart; k-- {
		c := b.out[k]
		if c >= utf8.RuneSelf {
			return false
		}
		if strings.IndexByte("/.?#=&", c) >= 0 {
			return true
		}
	}
	return true
}

// keepJoiner reports whether the joiner r, whose bytes end at s[next], is
// the script's own: see keepsJoiner.
func (b *urlBuilder) keepJoiner(r rune, s string, next int) bool {
	prev, _ := utf8.DecodeLastRune(b.out)
	nr, _ := utf8.DecodeRuneInString(s[next:])
	return keepsJoiner(r, prev, nr)
}

func (b *urlBuilder) noteInvisible(kind int, rawEnd int) {
	b.lastConsumed = rawEnd
	if kind == invisMask {
		b.flags |= fixInlineTags // no break mark: the tag was not a break
		return
	}
	if kind == invisSoftHyphen {
		b.flags |= fixSoftHyphen
		b.softBreak, b.zwBreak = true, false
	} else {
		b.flags |= fixZeroWidth
		b.zwBreak, b.softBreak = true, false
	}
}

// authorityPrefix copies, at the start of a URL's authority, user
// information ("user:pass@") and an IP literal ("[2001:db8::1]") as
// written; net/url checks them when the URL is finished. It returns where
// the rest of the host starts.
func (b *urlBuilder) authorityPrefix(s string, i int) int {
	j := i
	for j < len(s) && j-i < 256 && isUserinfoByte(s[j]) {
		j++
	}
	if j > i && j+1 < len(s) && s[j] == '@' && (isAlnum(s[j+1]) || s[j+1] == '[' || s[j+1] >= utf8.RuneSelf) {
		for k := i; k <= j; k++ {
			b.add(s[k], k+1)
		}
		b.sawAt = true
		b.hostSoFar = -(j + 1 - i) // the user information is not host
		i = j + 1
	}
	if i < len(s) && s[i] == '[' {
		j := i + 1
		for j < len(s) && j-i < 64 && (isHex(s[j]) || s[j] == ':' || s[j] == '.' || s[j] == '%' || isAlnum(s[j])) {
			j++
		}
		if j < len(s) && s[j] == ']' && j > i+2 {
			for k := i; k <= j; k++ {
				b.add(s[k], k+1)
			}
			i = j + 1
		}
	}
	return i
}

// isUserinfoByte reports whether c may appear in the user information of
// an authority (RFC 3986: unreserved, sub-delims, ':' and '%').
func isUserinfoByte(c byte) bool {
	return byteClass[c]&clsHost != 0 || c == ':' || c == '%' || strings.IndexByte("!$&'()*+,;=", c) >= 0
}

// hostStep copies one item of a host name and returns its length, or 0 when
// the host (and the URL) ends at s[i]. '/', '?' and '#' end the host and
// start the path.
func (b *urlBuilder) hostStep(s string, i int) int {
	c := s[i]
	if b.sawPort && c != '/' && c != '?' && c != '#' {
		return 0 // nothing but the path may follow a port
	}
	switch {
	case byteClass[c]&clsHost != 0:
		b.add(c, i+1)
		return 1
	case c == '/' || c == '?' || c == '#':
		if b.hostEmpty() || b.checkHost && !validHost(b.out[b.authStart:], b.hasScheme) {
			return 0 // fail early: the candidate is dropped without its path
		}
		b.pathStart = len(b.out)
		b.add(c, i+1)
		return 1
	case c == '[' || c == '(' || c == '{':
		if n := defangDot(s, i, true); n > 0 && !b.hostEmpty() {
			b.add('.', i+n)
			b.flags |= fixRefanged
			return n
		}
	case c == ':':
		return b.portStep(s, i)
	case c == '@':
		if b.sawAt || b.hostEmpty() || i+1 >= len(s) || !isAlnum(s[i+1]) {
			return 0
		}
		b.sawAt = true
		b.add(c, i+1)
		return 1
	case c == '&':
		r, n, ok := parseEntity(s, i)
		if !ok || r >= utf8.RuneSelf {
			return 0
		}
		switch {
		case byteClass[r]&clsHost != 0:
		case (r == '/' || r == '?' || r == '#') && !b.hostEmpty():
			b.pathStart = len(b.out)
		default:
			return 0
		}
		b.add(byte(r), i+n)
		b.flags |= fixEntities
		return n
	}
	return 0
}

// portStep copies ":digits" when it is a port, that is when the digits are
// followed by the end of the authority.
func (b *urlBuilder) portStep(s string, i int) int {
	j := i + 1
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j == i+1 || b.hostEmpty() {
		return 0
	}
	if j < len(s) && (byteClass[s[j]]&clsHost != 0 || strings.IndexByte(":@[({&", s[j]) >= 0) {
		return 0
	}
	for k := i; k < j; k++ {
		b.add(s[k], k+1)
	}
	b.sawPort = true
	return j - i
}

// pathStep copies one item of a path, query or fragment and returns its
// length, or 0 when the URL ends at s[i].
func (b *urlBuilder) pathStep(s string, i int) int {
	c := s[i]
	switch c {
	case '&':
		r, n, ok := parseEntity(s, i)
		if !ok {
			break
		}
		if k := invisibleKind(r); k != invisNone {
			b.flags |= fixEntities
			b.noteInvisible(k, i+n)
			return n
		}
		if entityEndsURL(r) {
			return 0
		}
		b.appendDecoded(r, i+n)
		return n
	case '[', '(', '{':
		// In a path "[.]" is refanged only in a URL already defanged in its
		// scheme or host; elsewhere it may be the path's own text.
		if n := defangDot(s, i, false); n > 0 && b.flags&fixRefanged != 0 {
			b.add('.', i+n)
			b.flags |= fixRefanged
			return n
		}
	}
	if byteClass[c]&clsURL == 0 {
		return 0
	}
	// A closing bracket with no opener in the URL belongs to the text around
	// it: "(see https://a.example/x), …", "[https://a.example/x](…)".
	switch c {
	case '(':
		b.parens++
	case ')':
		if b.parens == 0 {
			return 0
		}
		b.parens--
	case '[':
		b.brackets++
	case ']':
		if b.brackets == 0 {
			return 0
		}
		b.brackets--
	case '{':
		b.braces++
	case '}':
		if b.braces == 0 {
			return 0
		}
		b.braces--
	}
	b.add(c, i+1)
	return 1
}

// trailingTrim returns how many bytes at the end of u belong to the prose:
// sentence punctuation, closing quotes, unbalanced closing brackets and
// emphasis markers. opener is the byte before the URL in the text.
func trailingTrim[T ~string | ~[]byte](u T, minLen int, opener byte) int {
	n := len(u)
	for n > minLen {
		c := u[n-1]
		switch c {
		case '.', ',', ';', ':', '!', '?':
			n--
			continue
		case '\'', '*':
			// A quote closes a quoted path segment ("…_'quoted'") and a
			// star a starred one ("…/*glob*") when the URL holds the
			// opening one; otherwise it is the prose's (emphasis, quotes).
			if opener == c || count(u[:n], c)%2 == 1 {
				n--
				continue
			}
		case '}':
			if unbalanced(u[:n], '{', '}') {
				n--
				continue
			}
		case '_':
			if opener == '_' {
				n--
				continue
			}
		case ')':
			if unbalanced(u[:n], '(', ')') {
				n--
				continue
			}
		case ']':
			if unbalanced(u[:n], '[', ']') {
				n--
				continue
			}
		}
		break
	}
	return len(u) - n
}

func count[T ~string | ~[]byte](u T, c byte) int {
	n := 0
	for i := 0; i < len(u); i++ {
		if u[i] == c {
			n++
		}
	}
	return n
}

func unbalanced[T ~string | ~[]byte](u T, open, close byte) bool {
	depth := 0
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch c {
		case open:
			depth++
		case close:
			depth--
		}
	}
	return depth < 0
}
