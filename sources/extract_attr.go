package sources

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// CleanAttrURL cleans one URL taken from an HTML attribute value (raw, entities
// still encoded): decode entities, drop soft hyphens/zero-width chars, remove
// whitespace/newlines inside it. ok is false when the result is not an absolute
// http(s) URL. repairs lists what was done (same vocabulary as Occurrence.Repairs).
func CleanAttrURL(raw string) (clean string, repairs []string, ok bool) {
	repairs = []string{}
	s := strings.Trim(raw, " \t\n\r\f") // HTML strips these around attribute URLs
	var flags repairFlags
	spaces := false
	var b strings.Builder
	for round := 0; round < 4; round++ {
		b.Reset()
		decoded := false
		for i := 0; i < len(s); {
			c := s[i]
			if c == '&' {
				if r, n, ok := parseEntity(s, i); ok {
					decoded = true
					flags |= fixEntities
					if k := invisibleKind(r); k != invisNone {
						flags |= invisFlag(k)
					} else if r == 0xA0 {
						spaces = true
					} else {
						b.WriteRune(r)
					}
					i += n
					continue
				}
			}
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' {
				spaces = true
				i++
				continue
			}
			if c < utf8.RuneSelf {
				b.WriteByte(c)
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b.WriteString(percentByte(c)) // keep the byte, in a form URLs allow
			case invisibleKind(r) != invisNone:
				flags |= invisFlag(invisibleKind(r))
			case r == 0xA0:
				spaces = true
			default:
				b.WriteString(s[i : i+size])
			}
			i += size
		}
		s = b.String()
		if !decoded || strings.IndexByte(s, '&') < 0 {
			break
		}
	}
	if spaces {
		repairs = append(repairs, "removed whitespace")
	}
	for _, r := range repairNames {
		if flags&r.flag != 0 {
			repairs = append(repairs, r.name)
		}
	}
	u, err := url.Parse(escapeStrayPercents(s))
	if err != nil || u.Host == "" || !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
		return s, repairs, false
	}
	if strings.HasPrefix(u.Host, "[") {
		return s, repairs, ipLiteral(u.Hostname())
	}
	return s, repairs, validHost(u.Hostname(), true) // not "https://example]org/"
}

func invisFlag(kind int) repairFlags {
	switch kind {
	case invisSoftHyphen:
		return fixSoftHyphen
	case invisMask:
		return fixInlineTags
	}
	return fixZeroWidth
}
