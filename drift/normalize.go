package drift

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Masked tokens. Whatever differs on every visit (numbers, dates, times)
// is replaced by a class marker, so "Updated 3 March 2024, 1,204 views"
// and "Updated 9 April 2025, 1,377 views" normalise alike.
const (
	maskNumber  = "#"
	maskMonth   = "#m"
	maskWeekday = "#d"
)

// months and weekdays are masked in the languages cheap to list (English,
// German, French, Spanish, Italian, Dutch); a date in another language
// only costs the few shingles that cover it.
var dateWords = func() map[string]string {
	m := map[string]string{}
	for _, w := range strings.Fields(`january february march april may june july august september
		october november december jan feb mar apr jun jul aug sep sept oct nov dec
		januar februar märz maerz juni juli oktober dezember
		janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre décembre
		enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
		gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre
		januari februari maart mei augustus`) {
		m[w] = maskMonth
	}
	for _, w := range strings.Fields(`monday tuesday wednesday thursday friday saturday sunday
		mon tue tues wed thu thur thurs fri sat sun
		montag dienstag mittwoch donnerstag freitag samstag sonntag
		lundi mardi mercredi jeudi vendredi samedi dimanche
		lunes martes miércoles miercoles jueves viernes sábado sabado domingo
		am pm`) {
		m[w] = maskWeekday
	}
	return m
}()

// tokens splits a line into normalised words: NFKC (so full-width and
// ligature forms compare equal to plain ones), lower case, letters and
// digits only; a word with a digit in it, a month or a weekday name
// becomes a mask.
func tokens(line string, out []string) []string {
	if !isASCII(line) {
		line = norm.NFKC.String(line)
	}
	start := -1
	digit := false
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := strings.TrimRight(strings.ToLower(line[start:end]), "'’")
		if strings.Contains(w, "’") {
			w = strings.ReplaceAll(w, "’", "'") // typographic and typed apostrophes alike
		}
		switch {
		case digit:
			w = maskNumber
		default:
			if m, ok := dateWords[w]; ok {
				w = m
			}
		}
		// Runs of masks ("3 march 2024") collapse into one, so a date
		// written in another order or with a weekday added still matches.
		if n := len(out); n > 0 && strings.HasPrefix(w, "#") && strings.HasPrefix(out[n-1], "#") {
			out[n-1] = maskNumber
		} else {
			out = append(out, w)
		}
		start, digit = -1, false
	}
	for i, r := range line {
		switch {
		case unicode.IsLetter(r) || unicode.IsMark(r):
			if start < 0 {
				start = i
			}
		case unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
			digit = true
		case (r == '\'' || r == '’' || r == '.' || r == ',' || r == ':') && start >= 0 && digit:
			// 1,204 and 10:30 and 3.5 stay one number.
		case (r == '\'' || r == '’') && start >= 0:
			// don't, l'article: one word.
		default:
			flush(i)
		}
	}
	flush(len(line))
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// boilerplatePhrases mark lines that are page furniture rather than the
// cited text, when the line is short: readability keeps some of them
// (share bars, cookie notices, newsletter boxes inside the article).
var boilerplatePhrases = []string{
	"cookie", "cookies", "advertisement", "advertising", "sponsored", "anzeige", "publicité", "publicidad",
	"share this", "share on", "share via", "tweet", "pin it", "follow us", "subscribe", "newsletter",
	"sign up", "all rights reserved", "©", "copyright", "read more", "continue reading", "click here",
	"accept all", "privacy policy", "terms of use", "back to top", "skip to content", "print this",
	"email this", "whatsapp", "facebook", "linkedin", "reddit", "weiterlesen", "lire la suite", "leer más",
}

// volatileWords mark short lines that carry a counter or a time
// ("Updated 3 hours ago", "1,204 views", "12 comments", "5 min read").
var volatileWords = map[string]bool{
	"ago": true, "updated": true, "published": true, "posted": true, "modified": true, "edited": true,
	"comments": true, "comment": true, "views": true, "view": true, "shares": true, "likes": true,
	"reads": true, "read": true, "min": true, "mins": true, "minute": true, "minutes": true,
	"hour": true, "hours": true, "day": true, "days": true, "followers": true, "replies": true,
	"aktualisiert": true, "veröffentlicht": true, "mis": true, "jour": true, "actualizado": true,
	"by": true, "reading": true, "time": true,
}

// boxHeaders start a list of links to other pages ("Related", "Most
// read"): the header and the short lines after it are dropped.
var boxHeaders = []string{
	"related", "most read", "most popular", "most viewed", "popular", "trending", "recommended",
	"you may also like", "you might also like", "more from", "more stories", "more on this",
	"read next", "up next", "see also", "also read", "top stories", "latest news", "latest",
	"in other news", "editor's picks", "editors picks", "meistgelesen", "à lire aussi", "a lire aussi",
	"lire aussi", "te puede interesar", "mehr zum thema",
}

// commentHeaders start the comment section, which is dropped to the end:
// an article that gathers comments has not changed what it says.
var commentHeaders = []string{
	"comments", "comment", "leave a comment", "leave a reply", "responses", "discussion",
	"join the conversation", "kommentare", "commentaires", "comentarios", "commenti", "reacties",
}

// Line-length limits, in tokens, for the furniture rules above.
const (
	shortLine    = 14 // a related-box entry or a furniture line is at most this long
	volatileLine = 10 // a line with a counter or date is dropped only when this short
	headerLine   = 6  // a box or comment header
	// minBeforeComments is how many words of text must come before a
	// comment header for it to end the text.
	minBeforeComments = 20
)

// content returns the tokens of text that count: furniture lines dropped,
// the comment section cut. It is what similarity compares.
func content(text string) []string {
	var out []string
	keptLines(text, func(_ string, toks []string) { out = append(out, toks...) })
	return out
}

// keptLines calls fn, in order, for each line of text that counts, with
// its tokens (valid only during the call). The diff shows these lines.
func keptLines(text string, fn func(raw string, toks []string)) {
	var line []string
	inBox := false
	offset, words := 0, 0
	for raw := range strings.Lines(text) {
		offset += len(raw)
		line = tokens(raw, line[:0])
		if len(line) == 0 {
			continue
		}
		switch lineKind(raw, line) {
		case kindComments:
			// A comment count near the top ("12 comments" under the
			// title) is a counter, not the start of the comments.
			if words >= minBeforeComments && offset > len(text)/3 {
				return
			}
			continue
		case kindBoxHeader:
			inBox = true
			continue
		case kindFurniture:
			continue
		}
		if inBox && len(line) <= shortLine {
			continue
		}
		inBox = false
		words += len(line)
		fn(raw, line)
	}
}

type kind int

const (
	kindText kind = iota
	kindFurniture
	kindBoxHeader
	kindComments
)

func lineKind(raw string, toks []string) kind {
	n := len(toks)
	if n <= headerLine {
		joined := strings.Join(withoutMasks(toks), " ")
		for _, h := range commentHeaders {
			if joined == h {
				return kindComments
			}
		}
		for _, h := range boxHeaders {
			// One-word headers must stand alone ("Popular", not "Popular
			// uprisings of 1848"); longer ones may go on ("More from Sport").
			if joined == h || strings.Contains(h, " ") && strings.HasPrefix(joined, h+" ") {
				return kindBoxHeader
			}
		}
	}
	if n <= shortLine {
		low := strings.ToLower(raw)
		for _, p := range boilerplatePhrases {
			if strings.Contains(low, p) {
				return kindFurniture
			}
		}
	}
	if n <= volatileLine {
		masked, volatile := false, false
		for _, t := range toks {
			if strings.HasPrefix(t, "#") {
				masked = true
			} else if volatileWords[t] {
				volatile = true
			}
		}
		if masked && (volatile || allMasksOrShort(toks)) {
			return kindFurniture
		}
	}
	return kindText
}

// withoutMasks drops mask tokens, so "12 comments" reads as "comments".
func withoutMasks(toks []string) []string {
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !strings.HasPrefix(t, "#") {
			out = append(out, t)
		}
	}
	return out
}

// allMasksOrShort: a line that is mostly a date or a number ("March 3,
// 2024", "Page 2 of 5") with at most two plain words.
func allMasksOrShort(toks []string) bool {
	return len(withoutMasks(toks)) <= 2
}
