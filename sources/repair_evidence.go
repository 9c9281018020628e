package sources

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// evidence is what the extractor learns from the document once, lazily: most
// texts never need it because their URLs are not broken.
type evidence struct {
	ev   Evidence
	text string

	titleDone  bool
	titleWords map[string]string // lowercase word → as written in the title
	titleSeq   []string          // lowercase title words in order

	datesDone bool
	dates     []string // forms of ev.Date as they appear in URLs

	widthDone bool
	width     int // typical wrap width in bytes; 0 when unknown
}

func (e *evidence) title() ([]string, map[string]string) {
	if !e.titleDone {
		e.titleDone = true
		for _, w := range splitWords(e.ev.Title) {
			lw := strings.ToLower(w)
			if e.titleWords == nil {
				e.titleWords = map[string]string{}
			}
			e.titleWords[lw] = w
			e.titleSeq = append(e.titleSeq, lw)
		}
	}
	return e.titleSeq, e.titleWords
}

// titleWord returns the title's spelling of the lowercase word w.
func (e *evidence) titleWord(w string) (string, bool) {
	_, m := e.title()
	t, ok := m[w]
	return t, ok
}

// titleAdjacent reports whether a and b are consecutive words of the title
// ("air strikes"), which says a hyphen between them in a slug is real.
func (e *evidence) titleAdjacent(a, b string) bool {
	seq, _ := e.title()
	for i := 0; i+1 < len(seq); i++ {
		if seq[i] == a && seq[i+1] == b {
			return true
		}
	}
	return false
}

// splitWords splits s into runs of letters and digits.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// dateForms returns how the document's date (YYYY-MM-DD) is written in URL
// paths: 2014/09/29, 20140929, 2014-09-29, 2014/9/29.
func (e *evidence) dateForms() []string {
	if e.datesDone {
		return e.dates
	}
	e.datesDone = true
	d := e.ev.Date
	if len(d) < 10 || d[4] != '-' || d[7] != '-' {
		return nil
	}
	y, m, dd := d[:4], d[5:7], d[8:10]
	e.dates = []string{y + "/" + m + "/" + dd, y + m + dd, y + "-" + m + "-" + dd}
	if sm, sd := strings.TrimPrefix(m, "0"), strings.TrimPrefix(dd, "0"); sm != m || sd != dd {
		e.dates = append(e.dates, y+"/"+sm+"/"+sd)
	}
	return e.dates
}

// containsDate reports which date form s contains, if any.
func (e *evidence) containsDate(s string) string {
	for _, f := range e.dateForms() {
		if strings.Contains(s, f) {
			return f
		}
	}
	return ""
}

// wrapWidth is the document's usual line width: ev.LineWidth when given,
// otherwise measured as the 90th percentile of non-empty line lengths, when
// there are enough lines and several of them end near that length (a text
// that was really hard-wrapped). 0 means unknown.
func (e *evidence) wrapWidth() int {
	if e.widthDone {
		return e.width
	}
	e.widthDone = true
	if e.ev.LineWidth > 0 {
		e.width = e.ev.LineWidth
		return e.width
	}
	const maxLen = 1024
	var hist [maxLen + 1]int
	lines := 0
	s := e.text
	for len(s) > 0 {
		n := strings.IndexByte(s, '\n')
		line := s
		if n >= 0 {
			line, s = s[:n], s[n+1:]
		} else {
			s = ""
		}
		l := len(strings.TrimRight(line, " \t\r"))
		if l == 0 {
			continue
		}
		lines++
		hist[min(l, maxLen)]++
	}
	if lines < 6 {
		return 0
	}
	target := lines * 9 / 10
	seen, p90 := 0, 0
	for l := 0; l <= maxLen; l++ {
		seen += hist[l]
		if seen >= target {
			p90 = l
			break
		}
	}
	if p90 < 30 || p90 >= maxLen {
		return 0
	}
	near := 0
	for l := p90 * 85 / 100; l <= p90; l++ {
		near += hist[l]
	}
	if near < 3 || near*5 < lines {
		return 0
	}
	e.width = p90
	return e.width
}

// contextWords returns the lowercase words of the title and of the text just
// before the URL, where a document often names what it links to ("Foundation
// for Freedom Online, …, https://www.foundationforfreedom-\nonline.com").
func (e *evidence) contextWords(start int) []string {
	from := max(0, start-400)
	for from > 0 && from < start && !utf8.RuneStart(e.text[from]) {
		from++
	}
	seq, _ := e.title()
	words := append([]string(nil), seq...)
	for _, w := range splitWords(e.text[from:start]) {
		words = append(words, strings.ToLower(w))
	}
	return words
}

// concatRun reports whether target equals some run of consecutive words
// joined by sep, and returns that run as written with spaces.
func concatRun(words []string, target, sep string) (string, bool) {
	for i := range words {
		var b strings.Builder
		for j := i; j < len(words) && b.Len() < len(target); j++ {
			if j > i {
				b.WriteString(sep)
			}
			b.WriteString(words[j])
			if b.Len() == len(target) && b.String() == target && j > i {
				return strings.Join(words[i:j+1], " "), true
			}
			if !strings.HasPrefix(target, b.String()) {
				break
			}
		}
	}
	return "", false
}
