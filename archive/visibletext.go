package archive

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// visibleTokens is visibleText read from the token stream instead of a
// parsed tree: the same words in the same order, without building the
// tree. It backs VisibleWords, which a check run calls for every alive
// page without a reference copy; the tree was a third of such a run's
// allocations (issue 11). Lines may break at a block's start as well as
// its end, so what reads lines keeps the tree walk.
func visibleTokens(body []byte) (title, text string) {
	z := html.NewTokenizer(bytes.NewReader(body))
	var b strings.Builder
	var titleB strings.Builder
	skip := 0          // inside script, style, … (their own end tags close them)
	inHead := false    // between <head> and the first tag of the body
	inTitle := false   // reading the first <title>
	titleDone := false // a title was read
	newline := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	for b.Len() < maxVisibleText {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return finishVisible(titleB.String(), b.String())
		case html.TextToken:
			if inTitle {
				titleB.Write(z.Text())
				continue
			}
			if skip > 0 {
				continue
			}
			raw := z.Text()
			if inHead {
				if len(bytes.TrimSpace(raw)) == 0 {
					continue
				}
				inHead = false // text ends the head, as the parser has it
			}
			appendWords(&b, raw)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Title:
				inTitle = tt == html.StartTagToken && !titleDone
				continue
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg:
				if tt == html.StartTagToken {
					skip++
				}
				continue
			case atom.Head:
				inHead = true
				continue
			case atom.Meta, atom.Link, atom.Base:
				continue
			}
			inHead = false
			if isBlock(a) {
				newline()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Title:
				if inTitle {
					inTitle, titleDone = false, true
				}
				continue
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg:
				if skip > 0 {
					skip--
				}
				continue
			case atom.Head:
				inHead = false
				continue
			}
			if skip == 0 && isBlock(a) {
				newline()
			}
		}
	}
	return finishVisible(titleB.String(), b.String())
}

// appendWords adds raw's words (as bytes.Fields splits them, without its
// slice) to b, one space between words and before the first unless b is
// empty or ends a line.
func appendWords(b *strings.Builder, raw []byte) {
	start := -1 // start of the word being read
	for i := 0; i <= len(raw); {
		space, size := true, 1
		if i < len(raw) {
			switch c := raw[i]; {
			case c < utf8.RuneSelf:
				space = c == ' ' || c-'\t' <= '\r'-'\t' // \t \n \v \f \r, as unicode.IsSpace
			default:
				var r rune
				r, size = utf8.DecodeRune(raw[i:])
				space = unicode.IsSpace(r)
			}
		}
		switch {
		case !space && start < 0:
			start = i
		case space && start >= 0:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
				b.WriteByte(' ')
			}
			b.Write(raw[start:i])
			start = -1
		}
		i += size
	}
}

// finishVisible bounds the text; its lines are already without blanks
// and runs of spaces, which is all tidyText would add for words.
func finishVisible(title, text string) (string, string) {
	if len(text) > maxVisibleText {
		text = strings.ToValidUTF8(text[:maxVisibleText], "")
	}
	return strings.Join(strings.Fields(title), " "), text
}
