package sources

// Join rules that use what the document says about itself: its title,
// date, wrap width and vocabulary.

import (
	"fmt"
	"unicode/utf8"
)

// "…-islamic-stat" + "e-a39862": joining completes a word of the title.
func weighTitleCompletes(jc *joinCase) float64 {
	if _, ok := titleCompletion(jc); ok {
		return 3
	}
	return 0
}

func titleCompletion(jc *joinCase) (string, bool) {
	if jc.e.evi.ev.Title == "" {
		return "", false
	}
	l, c := jc.leftTail(), jc.contHead()
	if l == "" || c == "" {
		return "", false
	}
	if _, ok := jc.e.evi.titleWord(l); ok {
		return "", false
	}
	return jc.e.evi.titleWord(l + c)
}

func whyTitleCompletes(jc *joinCase) string {
	t, _ := titleCompletion(jc)
	return fmt.Sprintf("joining completes title word %q", t)
}

// The continuation's words are mostly the title's: a title-derived slug.
func weighTitleWords(jc *joinCase) float64 {
	if n, hit := titleWordHits(jc); n >= 2 && hit*10 >= n*6 {
		return 2.5
	}
	return 0
}

func titleWordHits(jc *joinCase) (n, hit int) {
	if jc.e.evi.ev.Title == "" {
		return 0, 0
	}
	c := jc.core
	for i := 0; i < len(c); {
		j := i
		for j < len(c) && isAlnum(c[j]) {
			j++
		}
		if w := c[i:j]; w != "" && !allDigits(w) {
			n++
			if _, ok := jc.e.evi.titleWord(lowerASCII(w)); ok {
				hit++
			}
		}
		i = j + 1
	}
	return n, hit
}

func whyTitleWords(jc *joinCase) string {
	n, hit := titleWordHits(jc)
	return fmt.Sprintf("%d of %d continuation words are in the title", hit, n)
}

func weighDictCompletes(jc *joinCase) float64 {
	l, c := jc.leftTail(), jc.contHead()
	if len(l) < 2 || c == "" || len(l)+len(c) > 24 || isWord(l) || !isWord(l+c) {
		return 0
	}
	if _, ok := titleCompletion(jc); ok {
		return 0 // already counted as a title word
	}
	return 1
}

func whyDictCompletes(jc *joinCase) string {
	return fmt.Sprintf("joining completes the word %q", jc.leftTail()+jc.contHead())
}

func weighDateCompletes(jc *joinCase) float64 {
	if dateCompletion(jc) != "" {
		return 3
	}
	return 0
}

// dateCompletion returns the date form that only the joined URL contains.
func dateCompletion(jc *joinCase) string {
	if jc.e.evi.ev.Date == "" || !isDigit(jc.core[0]) || jc.e.evi.containsDate(jc.left) != "" {
		return ""
	}
	tail := jc.left[max(0, len(jc.left)-10):]
	return jc.e.evi.containsDate(tail + jc.core[:min(len(jc.core), 10)])
}

func whyDateCompletes(jc *joinCase) string {
	return fmt.Sprintf("joining completes the document date %s", dateCompletion(jc))
}

func weighSpaceAtLineEnd(jc *joinCase) float64 {
	if !jc.br.newline && jc.br.spaces == 1 && jc.rest == "" {
		return 1
	}
	return 0
}

// A path that carries the document's own date ("/2014/09/29/") is the
// document's URL, so what the title says about it counts for more.
func weighDateInPath(jc *joinCase) float64 {
	if jc.e.evi.ev.Date == "" || jc.e.evi.containsDate(jc.left) == "" {
		return 0
	}
	if _, ok := titleCompletion(jc); ok {
		return 1
	}
	if n, hit := titleWordHits(jc); n >= 2 && hit*10 >= n*6 {
		return 1
	}
	return 0
}

func whyDateInPath(jc *joinCase) string {
	return fmt.Sprintf("path carries the document date %s, so the title applies", jc.e.evi.containsDate(jc.left))
}

// Line fill: a break on a line that reached the text's wrap width is more
// likely a wrap than one on a line that ended early.
func weighLineFill(jc *joinCase) float64 {
	if !jc.br.newline {
		return 0
	}
	w := jc.e.evi.wrapWidth()
	if w == 0 {
		return 0
	}
	l := jc.breakLineLen
	switch {
	case l*10 >= w*9:
		return 1.2
	case l*10 < w*6:
		return -0.8
	}
	return 0
}

func whyLineFill(jc *joinCase) string {
	w := jc.e.evi.wrapWidth()
	l := jc.breakLineLen
	line := jc.e.lineAt(jc.br.at)
	if l*10 >= w*9 {
		return fmt.Sprintf("line %d reached wrap width %d", line, w)
	}
	return fmt.Sprintf("line %d ended early (%d of %d)", line, l, w)
}

func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 37
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}
