package sources

// Hyphen rules from the shape of the segments around the break and from
// small per-language word lists: a hyphen inside an upper-case id, or after
// a prefix that another language writes joined to its verb.

import (
	"fmt"
	"strings"
)

// "…idUSKBN0RR0-" + "OH20150927": upper-case ids carry no hyphen inside;
// when both sides of the break have the id's shape the hyphen was
// inserted by the typesetter.
func hyphenInsideID(jc *joinCase, _ *hyphenFacts) (float64, string) {
	left := jc.left[:len(jc.left)-1]
	seg := idSegment(left)
	if seg == "" || jc.b.inHost() {
		return 0, ""
	}
	head := upperIDHead(jc.core)
	if head == "" || !isUpper(head[0]) && !isUpper(seg[len(seg)-1]) {
		return 0, "" // "ABC-2015": a code and a number are often hyphenated
	}
	return 4, fmt.Sprintf("id %q goes on with %q: ids carry no hyphen", seg, head)
}

// germanPrefixes are inseparable verb prefixes ("be-kämpfen", "ver-
// einfachen") that German writes joined to the verb and never alone in a
// slug; a hyphen after one at a break is hyphenation.
var germanPrefixes = setOf(`be ver ent zer emp miss er ge`)

// germanMarkers are words whose presence in the URL says its slug is German.
var germanMarkers = setOf(`und der die das den dem des mit gegen nach fuer für ueber über will wird
	sich nicht auch eine einen einem gemeinsam zum zur vom beim bei aus auf staaten regierung`)

// hyphenForeignPrefix removes a hyphen after a German inseparable prefix
// when the URL reads German (a German host, or German words in the slug).
func hyphenForeignPrefix(jc *joinCase, f *hyphenFacts) (float64, string) {
	if !germanPrefixes[f.before] || len(f.after) < 3 || jc.b.inHost() {
		return 0, ""
	}
	body := jc.left[:len(jc.left)-1-len(f.before)]
	if len(body) > 0 && body[len(body)-1] != '-' && body[len(body)-1] != '/' && body[len(body)-1] != '_' {
		return 0, "" // the prefix is the end of a longer word
	}
	if !readsGerman(jc.left) {
		return 0, ""
	}
	return 4, fmt.Sprintf("German prefix %q is written joined: %q", f.before, f.before+f.after)
}

// readsGerman reports whether a URL is German: a .de, .at or .ch host, or
// two German function words in its path.
func readsGerman(u string) bool {
	rest := u
	if k := strings.Index(rest, "://"); k >= 0 {
		rest = rest[k+3:]
	}
	host, path, _ := strings.Cut(rest, "/")
	host = hostname(host)
	for _, tld := range []string{".de", ".at", ".ch"} {
		if strings.HasSuffix(strings.ToLower(host), tld) {
			return true
		}
	}
	n := 0
	for _, w := range splitWords(strings.ToLower(path)) {
		if germanMarkers[w] {
			n++
		}
	}
	return n >= 2
}
