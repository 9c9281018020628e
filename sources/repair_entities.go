package sources

// HTML character references inside URLs: decoding them as a URL is copied,
// and making the finished URL stable under a second reading.

import (
	"strings"
	"unicode/utf8"
)

// entityEndsURL reports whether a decoded character reference is a delimiter
// around the URL rather than part of it (&quot;, &lt;, &gt;, &nbsp;, &#39;).
func entityEndsURL(r rune) bool {
	switch r {
	case '"', '<', '>', '\'', ' ', '\t', '\n', '\r', 0xA0:
		return true
	}
	return false
}

// appendDecoded appends a character decoded from an entity. Characters that
// could change how the URL is read again ("[" of a defanged dot, quotes,
// brackets) are percent-encoded instead, so the URL is stable.
func (b *urlBuilder) appendDecoded(r rune, rawEnd int) {
	b.flags |= fixEntities
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if safeDecoded(r) {
		b.addString(string(buf[:n]), rawEnd)
		return
	}
	b.flags |= fixEscaped
	for k := 0; k < n; k++ {
		b.addString(percentByte(buf[k]), rawEnd)
	}
}

func safeDecoded(r rune) bool {
	if r >= utf8.RuneSelf {
		return isURLRune(r)
	}
	return isAlnum(byte(r)) || strings.IndexByte("-._~/?#=&:@!$+,;%", byte(r)) >= 0
}

func percentByte(c byte) string {
	const hexdig = "0123456789ABCDEF"
	return string([]byte{'%', hexdig[c>>4], hexdig[c&15]})
}

// parseEntity decodes an HTML character reference at s[i] ('&'): named ones
// that occur in URLs, and numeric ones. It returns the rune and the length.
func parseEntity(s string, i int) (rune, int, bool) {
	j := i + 1
	if j < len(s) && s[j] == '#' {
		j++
		base := rune(10)
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			base = 16
			j++
		}
		start := j
		var v rune
		for j < len(s) && j-start < 7 {
			d := hexVal(s[j])
			if d < 0 || rune(d) >= base {
				break
			}
			v = v*base + rune(d)
			j++
		}
		if j == start || j >= len(s) || s[j] != ';' || v == 0 || v > utf8.MaxRune ||
			(v >= 0xD800 && v <= 0xDFFF) {
			return 0, 0, false
		}
		return v, j + 1 - i, true
	}
	start := j
	for j < len(s) && j-start < 16 && isLetter(s[j]) {
		j++
	}
	if j == start || j >= len(s) || s[j] != ';' {
		return 0, 0, false
	}
	r, ok := namedEntities[s[start:j]]
	if !ok {
		return 0, 0, false
	}
	return r, j + 1 - i, true
}

var namedEntities = map[string]rune{
	"amp": '&', "AMP": '&', "quot": '"', "QUOT": '"', "apos": '\'', "lt": '<', "LT": '<',
	"gt": '>', "GT": '>', "nbsp": 0xA0, "shy": 0xAD, "sol": '/', "equals": '=', "quest": '?',
	"num": '#', "percnt": '%', "colon": ':', "period": '.', "hyphen": '-', "dash": '-',
	"lowbar": '_', "commat": '@', "plus": '+', "comma": ',', "semi": ';', "excl": '!',
	"lpar": '(', "rpar": ')', "ast": '*', "dollar": '$', "zwj": 0x200D, "zwnj": 0x200C,
	"ZeroWidthSpace": 0x200B, "NoBreak": 0x2060,
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// normalizeEscapes makes the finished URL stable, so that reading it again
// gives itself: it decodes entities that only appear after a first decoding
// ("&amp;amp;"), escapes a '&' that would still start an entity after a few
// passes, and percent-encodes a '%' that does not start a valid escape, which
// URL parsers reject.
func normalizeEscapes(u string) (string, repairFlags) {
	var flags repairFlags
	for pass := 0; pass < 8 && strings.IndexByte(u, '&') >= 0; pass++ {
		next, fl, changed := decodeEntitiesOnce(u)
		if !changed {
			break
		}
		u, flags = next, flags|fl|fixEntities
	}
	if hasEntity(u) {
		var sb strings.Builder
		for i := 0; i < len(u); i++ {
			if u[i] == '&' && entityAt(u, i) {
				sb.WriteString("%26")
				continue
			}
			sb.WriteByte(u[i])
		}
		u, flags = sb.String(), flags|fixEscaped
	}
	return u, flags
}

// escapeStrayPercents percent-encodes every '%' that does not start an
// escape ("…/100%/", "…/path%"). The finder reports such a URL as written;
// this is the form net/url parses and a client fetches (FetchURL).
func escapeStrayPercents(u string) string {
	if strings.IndexByte(u, '%') < 0 {
		return u
	}
	var sb strings.Builder
	for i := 0; i < len(u); i++ {
		if u[i] == '%' && (i+2 >= len(u) || !isHex(u[i+1]) || !isHex(u[i+2])) {
			sb.WriteString("%25")
			continue
		}
		sb.WriteByte(u[i])
	}
	return sb.String()
}

func hasEntity(u string) bool {
	for i := 0; i < len(u); i++ {
		if u[i] == '&' && entityAt(u, i) {
			return true
		}
	}
	return false
}

func entityAt(u string, i int) bool {
	_, _, ok := parseEntity(u, i)
	return ok
}

// decodeEntitiesOnce decodes the entities of u in one pass. A decoded '&'
// stays pending so "&amp;amp;amp;" collapses to "&" in the same pass.
func decodeEntitiesOnce(u string) (string, repairFlags, bool) {
	var b urlBuilder
	b.reset(0)
	b.pathStart = 0
	changed, pending := false, false
	for i := 0; i < len(u); {
		var r rune
		var n int
		var ok bool
		switch {
		case u[i] == '&':
			r, n, ok = parseEntity(u, i)
		case pending:
			// The '&' just decoded may begin an entity with what follows.
			probe := "&" + u[i:min(len(u), i+24)]
			if r, n, ok = parseEntity(probe, 0); ok {
				n-- // the '&' came from the output, not from u
				b.out = b.out[:len(b.out)-1]
			}
		}
		pending = false
		if !ok {
			b.out = append(b.out, u[i])
			i++
			continue
		}
		changed = true
		i += n
		switch {
		case invisibleKind(r) != invisNone:
		case r == '&':
			b.out = append(b.out, '&')
			pending = true
		case entityEndsURL(r) || !safeDecoded(r):
			var buf [utf8.UTFMax]byte
			k := utf8.EncodeRune(buf[:], r)
			for x := 0; x < k; x++ {
				b.out = append(b.out, percentByte(buf[x])...)
			}
			b.flags |= fixEscaped
		default:
			b.appendDecoded(r, 0)
		}
	}
	return string(b.out), b.flags, changed
}
