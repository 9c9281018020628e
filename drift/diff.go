package drift

import (
	"strings"
	"unicode/utf8"
)

// Limits of the report's "changed since cited" section: how many
// sentences it lists each way and how long each may be.
const (
	DefaultChangeLimit = 20
	MaxSentenceRunes   = 300
)

// Changes is what a report says about a drifted page: the sentences of
// the cited copy that the page no longer has, and the new ones. Sentences
// are compared normalised (case, numbers and dates masked), so a changed
// date or counter is not a change; furniture and comments are left out.
type Changes struct {
	Removed []string // in the cited copy's order, each at most MaxSentenceRunes
	Added   []string // in the current page's order
	// MoreRemoved and MoreAdded count the sentences beyond the limit.
	MoreRemoved, MoreAdded int
	// RemovedWords and AddedWords count the words of all removed and
	// added sentences, listed or not.
	RemovedWords, AddedWords int
}

// Changed lists what changed from the cited copy ref to the current text
// cur, at most limit sentences each way (DefaultChangeLimit when limit
// <= 0).
func Changed(ref, cur string, limit int) Changes {
	if limit <= 0 {
		limit = DefaultChangeLimit
	}
	rs, cs := sentences(ref), sentences(cur)
	inRef, inCur := keySet(rs), keySet(cs)
	var c Changes
	c.Removed, c.MoreRemoved, c.RemovedWords = missing(rs, inCur, limit)
	c.Added, c.MoreAdded, c.AddedWords = missing(cs, inRef, limit)
	return c
}

type sentence struct{ text, key string }

func keySet(ss []sentence) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s.key] = true
	}
	return m
}

// missing returns the sentences of ss whose key is not in other, each
// once, up to limit, with the number left over and the words of all.
func missing(ss []sentence, other map[string]bool, limit int) (list []string, more, words int) {
	seen := map[string]bool{}
	for _, s := range ss {
		if other[s.key] || seen[s.key] {
			continue
		}
		seen[s.key] = true
		words += len(strings.Fields(s.text))
		if len(list) < limit {
			list = append(list, clip(s.text, MaxSentenceRunes))
		} else {
			more++
		}
	}
	return list, more, words
}

// sentences splits the lines that count into sentences at ". ", "! ",
// "? " and their CJK forms.
func sentences(text string) []sentence {
	var out []sentence
	var toks []string
	keptLines(text, func(raw string, _ []string) {
		rest := strings.TrimSpace(raw)
		for rest != "" {
			end := sentenceEnd(rest)
			s := strings.TrimSpace(rest[:end])
			rest = strings.TrimSpace(rest[end:])
			toks = tokens(s, toks[:0])
			if len(toks) > 0 {
				out = append(out, sentence{s, strings.Join(toks, " ")})
			}
		}
	})
	return out
}

// sentenceEnd is the index just after the first sentence of s.
func sentenceEnd(s string) int {
	for i, r := range s {
		switch r {
		case '.', '!', '?':
			if j := i + 1; j == len(s) || s[j] == ' ' {
				// "e.g. " and "Dr. " end sentences too; the cost is a
				// split sentence in a report, not a wrong verdict.
				return j
			}
		case '。', '！', '？':
			return i + utf8.RuneLen(r)
		}
	}
	return len(s)
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// Op is what a row of a side-by-side diff shows.
type Op string

// Row operations.
const (
	OpSame    Op = "same"    // the line is on both sides (normalised equal)
	OpChanged Op = "changed" // a cited line and the current line that took its place
	OpRemoved Op = "removed" // only in the cited copy
	OpAdded   Op = "added"   // only on the current page
)

// Row is one row of a side-by-side diff. Left is the cited copy's line,
// Right the current page's; a side without a line has "" and number 0.
// Line numbers count the lines of the diff's own input (1-based).
type Row struct {
	Op        Op
	Left      string
	Right     string
	LeftLine  int
	RightLine int
}

// SideBySideDiff is the model a UI renders as two columns.
type SideBySideDiff struct {
	Rows []Row
	// Truncated: there were more rows than asked for; Rows holds the
	// first ones.
	Truncated bool
}

// maxCells bounds the line alignment's table (rows × columns of the part
// that differs); beyond it, the differing part is shown as all removed
// then all added, which is still true, only less helpful.
const maxCells = 1 << 20

// SideBySide aligns the non-blank lines of the cited copy ref and the
// current text cur, matching lines by their normalised form (so a line
// whose date alone changed is OpSame), and pairs unmatched runs as
// OpChanged. At most maxRows rows (no limit when maxRows <= 0).
func SideBySide(ref, cur string, maxRows int) SideBySideDiff {
	l, r := diffLines(ref), diffLines(cur)
	var rows []Row
	// Common prefix and suffix need no table.
	pre := 0
	for pre < len(l) && pre < len(r) && l[pre].key == r[pre].key {
		pre++
	}
	suf := 0
	for suf < len(l)-pre && suf < len(r)-pre && l[len(l)-1-suf].key == r[len(r)-1-suf].key {
		suf++
	}
	for i := range pre {
		rows = append(rows, same(l[i], r[i]))
	}
	rows = appendMiddle(rows, l[pre:len(l)-suf], r[pre:len(r)-suf])
	for i := suf; i > 0; i-- {
		rows = append(rows, same(l[len(l)-i], r[len(r)-i]))
	}
	d := SideBySideDiff{Rows: rows}
	if maxRows > 0 && len(rows) > maxRows {
		d.Rows, d.Truncated = rows[:maxRows], true
	}
	return d
}

type dline struct {
	text, key string
	no        int
}

func diffLines(text string) []dline {
	var out []dline
	var toks []string
	no := 0
	for raw := range strings.Lines(text) {
		no++
		s := strings.TrimSpace(raw)
		if s == "" {
			continue
		}
		toks = tokens(s, toks[:0])
		key := strings.Join(toks, " ")
		if key == "" {
			key = s // punctuation only: compare as written
		}
		out = append(out, dline{s, key, no})
	}
	return out
}

func same(a, b dline) Row {
	return Row{Op: OpSame, Left: a.text, Right: b.text, LeftLine: a.no, RightLine: b.no}
}

// appendMiddle aligns the differing middle by longest common subsequence
// of keys, then pairs each run of removed lines with the run of added
// lines at the same place.
func appendMiddle(rows []Row, l, r []dline) []Row {
	n, m := len(l), len(r)
	if n == 0 && m == 0 {
		return rows
	}
	if n*m > maxCells {
		return appendRuns(rows, l, r)
	}
	// lcs[i][j] = LCS length of l[i:], r[j:], in one flat slice.
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if l[i].key == r[j].key {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	li, rj := 0, 0 // start of the pending unmatched runs
	for i < n && j < m {
		switch {
		case l[i].key == r[j].key:
			rows = appendRuns(rows, l[li:i], r[rj:j])
			rows = append(rows, same(l[i], r[j]))
			i++
			j++
			li, rj = i, j
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	return appendRuns(rows, l[li:], r[rj:])
}

// appendRuns shows a run of removed lines beside a run of added ones.
func appendRuns(rows []Row, l, r []dline) []Row {
	for k := 0; k < max(len(l), len(r)); k++ {
		switch {
		case k < len(l) && k < len(r):
			rows = append(rows, Row{Op: OpChanged, Left: l[k].text, Right: r[k].text, LeftLine: l[k].no, RightLine: r[k].no})
		case k < len(l):
			rows = append(rows, Row{Op: OpRemoved, Left: l[k].text, LeftLine: l[k].no})
		default:
			rows = append(rows, Row{Op: OpAdded, Right: r[k].text, RightLine: r[k].no})
		}
	}
	return rows
}
