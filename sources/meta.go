package sources

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// headerLines is how far into a document a title or dateline is looked for.
const headerLines = 40

var (
	monthNames = `(jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)`
	// "September 29, 2014" and "Sept. 29 2014"
	reMonthDayYear = regexp.MustCompile(`(?i)\b` + monthNames + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	// "29 September 2014"
	reDayMonthYear = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+` + monthNames + `,?\s+(\d{4})\b`)
	// "2014-09-29", also the date part of an RFC 3339 time
	reISODate = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})(?:\b|T)`)
)

// findDate returns the first date stated in text as YYYY-MM-DD.
func findDate(text string) string {
	type hit struct {
		at   int
		date string
	}
	var best *hit
	try := func(at int, y, m, d int) {
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if y < 1900 || y > 2200 || t.Day() != d || int(t.Month()) != m {
			return
		}
		if best == nil || at < best.at {
			best = &hit{at, t.Format("2006-01-02")}
		}
	}
	if m := reMonthDayYear.FindStringSubmatchIndex(text); m != nil {
		d, _ := strconv.Atoi(text[m[4]:m[5]])
		y, _ := strconv.Atoi(text[m[6]:m[7]])
		try(m[0], y, monthNumber(text[m[2]:m[3]]), d)
	}
	if m := reDayMonthYear.FindStringSubmatchIndex(text); m != nil {
		d, _ := strconv.Atoi(text[m[2]:m[3]])
		y, _ := strconv.Atoi(text[m[6]:m[7]])
		try(m[0], y, monthNumber(text[m[4]:m[5]]), d)
	}
	if m := reISODate.FindStringSubmatchIndex(text); m != nil {
		y, _ := strconv.Atoi(text[m[2]:m[3]])
		mo, _ := strconv.Atoi(text[m[4]:m[5]])
		d, _ := strconv.Atoi(text[m[6]:m[7]])
		try(m[0], y, mo, d)
	}
	if best == nil {
		return ""
	}
	return best.date
}

func monthNumber(name string) int {
	prefix := strings.ToLower(name)
	if len(prefix) > 3 {
		prefix = prefix[:3]
	}
	i := strings.Index("janfebmaraprmayjunjulaugsepoctnovdec", prefix)
	if i < 0 || i%3 != 0 {
		return 0
	}
	return i/3 + 1
}

// headBytes caps headOf, so a document that is one long line is not
// searched whole for its title and date.
const headBytes = 16 << 10

// headOf returns the first n lines of text, at most headBytes of them.
func headOf(text string, n int) string {
	if len(text) > headBytes {
		text = text[:headBytes]
	}
	end := 0
	for i := 0; i < n; i++ {
		j := strings.IndexByte(text[end:], '\n')
		if j < 0 {
			return text
		}
		end += j + 1
	}
	return text[:end]
}

// firstLineTitle returns the first non-blank line when it reads like a title.
func firstLineTitle(text string) string {
	for _, line := range strings.Split(headOf(text, headerLines), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
		if line == "" {
			continue
		}
		if len(line) > 300 || strings.Contains(line, "://") || isSourceLabel(line) || !strings.ContainsFunc(line, unicode.IsLetter) {
			return ""
		}
		return line
	}
	return ""
}

// Labels that introduce a document's own URL. Strong ones count anywhere;
// weak ones ("Source:", "URL:") also introduce citations in reference lists,
// so they count only near the start or the end of a document.
var (
	strongSourceLabels = []string{"original url", "original link", "original article", "originally published at", "canonical", "canonical url", "canonical_url", "original_url", "source_url"}
	weakSourceLabels   = []string{"source", "source url", "url", "link", "permalink", "quelle", "fuente", "источник", "المصدر"}
)

// labelWindow bounds how far back from a URL a label is looked for. A label
// is a few words; looking further would make extraction quadratic on a page
// that is one long line (issue 17).
const labelWindow = 128

// labelBefore returns the label (lowercased, without its colon) that stands
// just before offset start: on the same line, or alone on one of the two
// previous non-blank lines.
func labelBefore(text string, start int) string {
	lineStart, ok := lineStartNear(text, start)
	if !ok {
		return "" // more than a label's worth of text before the URL
	}
	before := cleanLabel(text[lineStart:start])
	if before != "" {
		return before
	}
	end := lineStart - 1
	for tries := 0; tries < 3 && end > 0; tries++ {
		ls, ok := lineStartNear(text, end)
		if !ok {
			return ""
		}
		line := strings.TrimSpace(text[ls:end])
		end = ls - 1
		if line == "" {
			continue
		}
		if isSourceLabel(line) {
			return cleanLabel(line)
		}
		return ""
	}
	return ""
}

// lineStartNear returns where the line holding offset at begins, looking
// back at most labelWindow bytes past blanks; ok is false when the line has
// more text than that before at.
func lineStartNear(text string, at int) (int, bool) {
	k := at
	for k > 0 && (text[k-1] == ' ' || text[k-1] == '\t' || text[k-1] == '\r') {
		k-- // blanks before the URL cost nothing: they are walked once
	}
	lo := max(0, k-labelWindow)
	i := strings.LastIndexByte(text[lo:k], '\n')
	if i < 0 {
		return 0, lo == 0
	}
	return lo + i + 1, true
}

// cleanLabel strips the markup and punctuation around a label such as
// "**Source:** [" and lowercases it.
func cleanLabel(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '['); i >= 0 && strings.HasSuffix(s, "(") {
		s = s[:i] // "Source: [Title](" introduces the link's target
	}
	s = strings.TrimRight(s, " \t<([\"'*_")
	s = strings.TrimLeft(s, " \t>*_-#")
	s = strings.TrimRight(s, " \t*_")
	s = strings.TrimSuffix(strings.TrimSuffix(s, ":"), "：")
	s = strings.TrimRight(s, " \t*_")
	return strings.ToLower(s)
}

func isSourceLabel(line string) bool {
	l := cleanLabel(line)
	return l != "" && (contains(strongSourceLabels, l) || contains(weakSourceLabels, l)) &&
		(strings.HasSuffix(strings.TrimRight(strings.TrimSpace(line), "*_"), ":") || strings.HasSuffix(strings.TrimSpace(line), "："))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// markSource gives role source to the document's own URL: the first one
// under a strong label, else the first under a weak label near the start or
// end of the text. Every occurrence of that URL gets the role.
func markSource(text string, occs []Occurrence) {
	pick := -1
	for i, o := range occs {
		if contains(strongSourceLabels, labelBefore(text, o.Start)) {
			pick = i
			break
		}
	}
	if pick < 0 {
		headEnd := len(headOf(text, headerLines/2))
		tailStart := tailOffset(text, 6)
		for i, o := range occs {
			if (o.Start < headEnd || o.Start >= tailStart) && contains(weakSourceLabels, labelBefore(text, o.Start)) {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		return
	}
	for i := range occs {
		if occs[i].URL == occs[pick].URL {
			occs[i].Role = RoleSource
		}
	}
}

// tailOffset returns where the last n non-blank lines of text begin.
func tailOffset(text string, n int) int {
	end := len(text)
	for end > 0 && n > 0 {
		i := strings.LastIndexByte(text[:end], '\n')
		if strings.TrimSpace(text[i+1:end]) != "" {
			n--
		}
		end = i
		if i < 0 {
			return 0
		}
	}
	return end
}
