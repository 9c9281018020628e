package sources

// Join rules about how the URL so far ends: a character a URL cannot end
// with argues for going on; sentence punctuation, a file extension or the
// start of another URL argue for stopping.

import (
	"fmt"
	"strings"
)

// nonWebSchemes start tokens that are URIs of their own but never part of
// a web URL's path: a line "mailto:…" after a URL is a new reference.
var nonWebSchemes = []string{"mailto:", "tel:", "sms:", "javascript:", "data:", "file:", "ftp:", "news:", "irc:", "magnet:", "urn:", "doi:", "xmpp:", "geo:"}

// weighOtherScheme argues against joining a mail address or a non-web URI
// to the URL before it; "?to=" style nested values are left to the nested
// rule.
func weighOtherScheme(jc *joinCase) float64 {
	c := lowerASCII(jc.core)
	if c == "" {
		return 0
	}
	for _, p := range nonWebSchemes {
		if strings.HasPrefix(c, p) && len(c) > len(p) {
			return -12
		}
	}
	if at := strings.IndexByte(c, '@'); at > 0 && !strings.ContainsAny(c, "/?#=") && strings.Contains(c[at:], ".") {
		return -12 // someone@example.org
	}
	return 0
}

// "%D8%A" + "7…": a percent escape cut in two.
func weighPercentOpen(jc *joinCase) float64 {
	l := jc.left
	open := strings.HasSuffix(l, "%") || len(l) >= 2 && l[len(l)-2] == '%' && isHex(l[len(l)-1])
	if open && isHex(jc.core[0]) {
		return 8
	}
	return 0
}

// A URL does not end with '=', '&' or '?': the value is on the next line.
func weighQueryOpen(jc *joinCase) float64 {
	switch jc.leftLast() {
	case '=', '&':
		return 3.5
	case '?':
		return 2
	}
	return 0
}

func whyLeftCannotEnd(jc *joinCase) string {
	return fmt.Sprintf("URL cannot end with %q", jc.leftLast())
}

func weighHyphenAtBreak(jc *joinCase) float64 {
	if jc.leftLast() == '-' && !jc.b.inHost() {
		return 3
	}
	return 0
}

// A soft hyphen or zero-width space marks where a line could be broken.
func weighInvisibleBreak(jc *joinCase) float64 {
	switch {
	case jc.b.softBreak:
		return 8
	case jc.b.zwBreak:
		return 2.5
	}
	return 0
}

func whyInvisibleBreak(jc *joinCase) string {
	if jc.b.softBreak {
		return "soft hyphen marks a hyphenation point"
	}
	return "zero-width character marks a break opportunity"
}

func weighOpenEnd(jc *joinCase) float64 {
	switch jc.leftLast() {
	case '_', '~', '+', '(', '#':
		return 2
	}
	return 0
}

func weighSlashEnd(jc *joinCase) float64 {
	if jc.leftLast() == '/' && !jc.b.schemeOnly() {
		return 0.5
	}
	return 0
}

// A final '.' is a sentence's unless what follows is a file extension.
func weighDotEnd(jc *joinCase) float64 {
	if jc.leftLast() != '.' || jc.b.inHost() {
		return 0
	}
	if dotEndExt(jc) != "" {
		return 3
	}
	return -1.5
}

func dotEndExt(jc *joinCase) string {
	head := jc.core
	if k := strings.IndexAny(head, "?#/"); k >= 0 {
		head = head[:k]
	}
	if len(head) <= 5 && isLowerWord(head) && fileExts[head] {
		return head
	}
	return ""
}

func whyDotEnd(jc *joinCase) string {
	if ext := dotEndExt(jc); ext != "" {
		return fmt.Sprintf("%q completes a file extension", ext)
	}
	return "a final '.' usually ends the sentence"
}

func weighProsePunctEnd(jc *joinCase) float64 {
	switch jc.leftLast() {
	case ',', ';', '!', ':', '\'', '*':
		return -3
	case ')':
		if unbalanced(jc.left, '(', ')') {
			return -3
		}
	}
	return 0
}

func whyProsePunctEnd(jc *joinCase) string {
	return fmt.Sprintf("URL ends with prose punctuation %q", jc.leftLast())
}

// "….html" at a line end is a finished URL unless a query or fragment follows.
func weighFileExtEnd(jc *joinCase) float64 {
	if jc.b.inHost() || fileExtOf(jc.left[jc.b.pathStart:]) == "" || strings.IndexByte("?#&", jc.core[0]) >= 0 {
		return 0
	}
	return -2.5
}

func whyFileExtEnd(jc *joinCase) string {
	return fmt.Sprintf("URL already ends in .%s", fileExtOf(jc.left[jc.b.pathStart:]))
}

// Inside a Markdown link target "](…)" or an autolink "<…>" a wrap is always
// a join: the target cannot hold a line break.
func weighLinkTarget(jc *joinCase) float64 {
	if !jc.br.newline || jc.b.start < 1 {
		return 0
	}
	s, st := jc.e.s, jc.b.start
	switch {
	case s[st-1] == '<':
		return 8
	case s[st-1] == '(' && st >= 2 && s[st-2] == ']' && !unbalanced(jc.left, '(', ')'):
		return 8
	}
	return 0
}

func whyLinkTarget(jc *joinCase) string {
	if jc.e.s[jc.b.start-1] == '<' {
		return "break inside a <…> autolink"
	}
	return "break inside a Markdown link target"
}

// "…?url=" or a Wayback "/web/20200101000000/" at a line end, then a line
// starting with "https://": one URL nested in another.
func weighNestedURL(jc *joinCase) float64 {
	if !jc.newURL || jc.b.inHost() {
		return 0
	}
	if c := jc.leftLast(); c == '=' || c == '?' || waybackPrefix(jc.left) {
		return 12
	}
	return 0
}

// waybackPrefix reports whether u ends with "/web/<timestamp>[flags]/".
func waybackPrefix(u string) bool {
	if !strings.HasSuffix(u, "/") {
		return false
	}
	k := strings.LastIndex(u[:len(u)-1], "/web/")
	if k < 0 {
		return false
	}
	stamp := u[k+5 : len(u)-1]
	digits := 0
	for digits < len(stamp) && isDigit(stamp[digits]) {
		digits++
	}
	if digits < 4 || digits > 14 {
		return stamp == "*"
	}
	flags := stamp[digits:]
	for i := 0; i < len(flags); i++ {
		if !isLower(flags[i]) && flags[i] != '_' {
			return false
		}
	}
	return len(flags) <= 3
}

func weighNewURL(jc *joinCase) float64 {
	if jc.newURL && !jc.b.schemeOnly() && !hostNeedsMore(jc.b) {
		return -12
	}
	return 0
}
