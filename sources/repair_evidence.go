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

	// lower is text[lowerAt:lowerAt+len(lower)] with ASCII letters
	// lowercased: a window that moves forward with the URLs, so the whole
	// text is never copied (issue 17: bounded memory per document).
	lower   string
	lowerAt int
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

// concatRun reports whether target equals a run of two or more consecutive
// words run together, and returns that run.
func concatRun(words []string, target string) (string, bool) {
	for i := range words {
		rest := target
		for j := i; j < len(words) && strings.HasPrefix(rest, words[j]) && words[j] != ""; j++ {
			rest = rest[len(words[j]):]
			if rest == "" && j > i {
				return strings.Join(words[i:j+1], " "), true
			}
		}
	}
	return "", false
}

// textWindow bounds how far from a URL the text is searched for spellings.
const textWindow = 8 << 10

// lowerWindowSize is how much lowercased text is kept at a time.
const lowerWindowSize = 64 << 10

// lowerText returns text[from:to] with ASCII letters lowercased, from the
// current window or a new one that starts at from. Calls come in text
// order, so each byte is lowercased about once.
func (e *evidence) lowerText(from, to int) string {
	if from < e.lowerAt || to > e.lowerAt+len(e.lower) || e.lower == "" {
		end := min(len(e.text), max(to, from+lowerWindowSize))
		b := []byte(e.text[from:end])
		for i, c := range b {
			b[i] = lowerByte(c)
		}
		e.lower, e.lowerAt = string(b), from
	}
	return e.lower[from-e.lowerAt : to-e.lowerAt]
}

// textHasWord reports whether the lowercase word w appears as a whole word in
// the text near the URL at [start, end), outside the URL itself.
func (e *evidence) textHasWord(w string, start, end int) bool {
	return e.findOutside(start, end, func(hay string) bool { return hasWholeWord(hay, w) })
}

// textHasPair reports whether the words a and b appear side by side
// ("air strikes", "air-strikes") near the URL, outside it.
func (e *evidence) textHasPair(a, b string, start, end int) bool {
	return e.findOutside(start, end, func(hay string) bool {
		return hasWholeWord(hay, a+" "+b) || hasWholeWord(hay, a+"-"+b)
	})
}

func (e *evidence) findOutside(start, end int, found func(string) bool) bool {
	if end > len(e.text) || start > end {
		return false
	}
	from, to := max(0, start-textWindow), min(len(e.text), end+textWindow)
	lt := e.lowerText(from, to)
	return found(lt[:start-from]) || found(lt[end-from:])
}

// hasWholeWord reports whether w occurs in hay not glued to other letters.
func hasWholeWord(hay, w string) bool {
	for off := 0; ; {
		k := strings.Index(hay[off:], w)
		if k < 0 {
			return false
		}
		i, j := off+k, off+k+len(w)
		if (i == 0 || !isLetter(hay[i-1])) && (j == len(hay) || !isLetter(hay[j])) {
			return true
		}
		off = i + 1
	}
}
