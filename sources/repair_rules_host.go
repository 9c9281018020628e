package sources

// Join rules about the scheme and host: a break right after "https://", a
// host name cut before its TLD, spaces around the dots of a host.

import (
	"fmt"
	"strings"
)

// A URL cannot stop right after "https://": the host is on the next line.
// After a space ("http:// example.com") only a "www." host or one with a
// path is taken: a space there is as often the writer's way of not linking.
func weighSchemeOnly(jc *joinCase) float64 {
	if !jc.b.schemeOnly() {
		return 0
	}
	if !looksLikeHostStart(jc.core) {
		return -20
	}
	spacedOn := strings.HasPrefix(jc.rest, ".") || strings.HasPrefix(jc.rest, "/")
	if !jc.br.newline && !spacedOn && !strings.HasPrefix(lowerASCII(jc.core), "www.") && strings.IndexByte(jc.core, '/') < 0 {
		return -20
	}
	return 10
}

func looksLikeHostStart(s string) bool {
	dot := strings.IndexByte(s, '.')
	return len(s) > 0 && isAlnum(s[0]) && dot > 0 && dot+1 < len(s) && isAlnum(s[dot+1])
}

// A host name that ends in '.' or '-' is not finished.
func weighHostUnfinished(jc *joinCase) float64 {
	if !jc.b.inHost() || jc.b.schemeOnly() || !isAlnum(jc.core[0]) {
		return 0
	}
	if h := jc.b.host(); h != "" && (h[len(h)-1] == '.' || h[len(h)-1] == '-') && !hostComplete(h[:len(h)-1]) {
		return 5
	}
	return 0
}

// hostComplete reports whether h is a whole host name ending in a known TLD;
// a '.' after it is then the sentence's ("see www.example.com. Then").
func hostComplete(h string) bool {
	name := hostname(h)
	return validHost(h, true) && knownTLD(lowerASCII(name[strings.LastIndexByte(name, '.')+1:]))
}

func whyHostUnfinished(jc *joinCase) string {
	return fmt.Sprintf("host name %q is unfinished", jc.b.host())
}

// "www.cisco .com /c/en/…": spaces around the dots of a host (a defanging
// habit, and PDF text) when the tokens rebuild a valid host name.
func weighSpacedHost(jc *joinCase) float64 {
	if !jc.b.inHost() || jc.b.schemeOnly() {
		return 0
	}
	switch jc.core[0] {
	case '.':
		if rebuilt := spacedHost(jc); !hostComplete(jc.b.host()) && hostComplete(rebuilt) {
			return 7
		}
	case '/':
		if h := jc.b.host(); validHost(h, true) && hasTLDShape(h) && jc.br.spaces == 1 {
			return 2
		}
	}
	return 0
}

// spacedHost is the host rebuilt from the URL so far and a ".label" token.
func spacedHost(jc *joinCase) string {
	label := jc.core[1:]
	if k := strings.IndexAny(label, "/?#:"); k >= 0 {
		label = label[:k]
	}
	return jc.b.host() + "." + label
}

func whySpacedHost(jc *joinCase) string {
	if jc.core[0] == '.' {
		return fmt.Sprintf("spaced host rebuilds %q", spacedHost(jc))
	}
	return fmt.Sprintf("path follows spaced host %q", jc.b.host())
}

// "https://www.foundationfor" + "freedomonline.com/…": the host so far has
// no real TLD and the continuation completes one.
func weighHostNoTLD(jc *joinCase) float64 {
	if hostNeedsMore(jc.b) && hostCompletedBy(jc) != "" {
		return 6
	}
	return 0
}

// hostNeedsMore reports whether the URL is still in its host and the host
// cannot be finished: it ends in '.' or '-' or its last label is no TLD.
func hostNeedsMore(b *urlBuilder) bool {
	if !b.inHost() || b.schemeOnly() {
		return false
	}
	h := b.host()
	if h == "" || h[len(h)-1] == '-' {
		return true
	}
	if strings.IndexByte(h, ':') >= 0 {
		return false // a port follows the host name: it was finished
	}
	return !hostComplete(strings.TrimSuffix(h, "."))
}

// hostCompletedBy returns the host rebuilt with the continuation when that
// host ends in a known TLD.
func hostCompletedBy(jc *joinCase) string {
	c := jc.core
	if !isAlnum(c[0]) {
		return ""
	}
	if k := strings.IndexAny(c, "/?#:"); k >= 0 {
		c = c[:k]
	}
	if h := jc.b.host() + c; hostComplete(h) {
		return h
	}
	return ""
}

func whyHostNoTLD(jc *joinCase) string {
	return fmt.Sprintf("host %q has no TLD yet; joined it is %q", jc.b.host(), hostCompletedBy(jc))
}
