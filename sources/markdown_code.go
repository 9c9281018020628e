package sources

import "strings"

// codeSpanLook bounds how far a code span's closing backticks are sought,
// so unmatched backticks cannot make extraction quadratic.
const codeSpanLook = 4 << 10

// markdownCode returns the [start, end) byte ranges of a Markdown text that
// are code: fenced blocks (``` or ~~~, fences included) and inline code
// spans (`…`, “…“). Ranges are in order and do not overlap. Indented code
// blocks are not taken: wrapped prose is indented too.
func markdownCode(text string) [][2]int {
	var out [][2]int
	fenceChar, fenceLen, fenceStart := byte(0), 0, 0
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		next := len(text)
		if end >= 0 {
			next = off + end + 1
		}
		line := text[off:next]
		c, n := fenceOpen(line)
		switch {
		case fenceChar != 0:
			if c == fenceChar && n >= fenceLen && strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), string(c))) == "" {
				out = append(out, [2]int{fenceStart, next})
				fenceChar = 0
			}
		case n >= 3:
			fenceChar, fenceLen, fenceStart = c, n, off
		default:
			out = codeSpans(text, off, next, out)
		}
		off = next
	}
	if fenceChar != 0 {
		out = append(out, [2]int{fenceStart, len(text)}) // an unclosed fence runs to the end
	}
	return out
}

// fenceOpen returns the fence character and run length that start a line
// (after up to three spaces), or 0, 0.
func fenceOpen(line string) (byte, int) {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	if i >= len(line) || line[i] != '`' && line[i] != '~' {
		return 0, 0
	}
	c, j := line[i], i
	for j < len(line) && line[j] == c {
		j++
	}
	if c == '`' && strings.IndexByte(line[j:], '`') >= 0 {
		return 0, 0 // a backtick fence's info string has no backticks: a code span
	}
	return c, j - i
}

// codeSpans appends the code spans that open on the line text[from:to]; a
// span may close on a later line of its paragraph.
func codeSpans(text string, from, to int, out [][2]int) [][2]int {
	if len(out) > 0 {
		from = max(from, out[len(out)-1][1]) // inside a span opened on an earlier line
	}
	for i := from; i < to; {
		if text[i] != '`' || i > 0 && text[i-1] == '\\' {
			i++
			continue
		}
		j := i
		for j < len(text) && text[j] == '`' {
			j++
		}
		n := j - i
		closeAt := closingTicks(text, j, n)
		if closeAt < 0 {
			i = j
			continue
		}
		if len(out) == 0 || out[len(out)-1][1] <= i {
			out = append(out, [2]int{i, closeAt + n})
		}
		i = closeAt + n
		if i > to {
			break
		}
	}
	return out
}

// closingTicks finds a run of exactly n backticks at or after i, before a
// blank line and within codeSpanLook bytes; -1 when there is none.
func closingTicks(text string, i, n int) int {
	limit := min(len(text), i+codeSpanLook)
	for i < limit {
		switch text[i] {
		case '`':
			j := i
			for j < len(text) && text[j] == '`' {
				j++
			}
			if j-i == n {
				return i
			}
			i = j
			continue
		case '\n':
			if k := strings.IndexByte(text[i+1:min(len(text), i+1+256)], '\n'); k >= 0 && strings.TrimSpace(text[i+1:i+1+k]) == "" {
				return -1 // a blank line ends the paragraph
			}
		}
		i++
	}
	return -1
}

// markCode gives role code to the occurrences that start inside a range.
func markCode(occs []Occurrence, ranges [][2]int) {
	k := 0
	for i := range occs {
		for k < len(ranges) && ranges[k][1] <= occs[i].Start {
			k++
		}
		if k < len(ranges) && ranges[k][0] <= occs[i].Start {
			occs[i].Role = RoleCode
		}
	}
}
