package sources

import (
	"math"
	"sort"
	"strings"

	"github.com/ledongthuc/pdf"
)

// ligatures spells out the typographic ligatures fonts map some letter
// pairs to, so that "/ﬁles/" in a typeset URL reads "/files/".
var ligatures = strings.NewReplacer("\ufb00", "ff", "\ufb01", "fi", "\ufb02", "fl", "\ufb03", "ffi", "\ufb04", "ffl", "\ufb05", "st", "\ufb06", "st")

// glyph is one shown character (or string) with where it sits on the page.
type glyph struct {
	x, y, w float64
	s       string
	space   bool
}

// row is the glyphs sharing a baseline, left to right.
type row struct {
	y, size float64
	gs      []glyph
}

func (r row) end(i int) float64 { return r.gs[i].x + r.gs[i].w }

// rebuildLines groups glyphs into lines by baseline, top to bottom, each
// left to right, with a space where a gap between glyphs stands for one
// (producers often place words separately instead of writing spaces). On a
// page set in two columns, the left column's lines come before the right
// column's, so that a URL wrapped within a column reads on.
func rebuildLines(texts []pdf.Text) []pdfLine {
	rows := groupRows(texts)
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].y > rows[b].y })
	gutter, columns := findGutter(rows)
	var out, left, right []pdfLine
	flush := func() {
		out = append(append(out, left...), right...)
		left, right = nil, nil
	}
	for _, r := range rows {
		if !columns {
			out = appendLine(out, r.y, r.size, r.gs)
			continue
		}
		if i, ok := splitAt(r, gutter); ok {
			left = appendLine(left, r.y, r.size, r.gs[:i])
			right = appendLine(right, r.y, r.size, r.gs[i:])
			continue
		}
		switch {
		case r.end(len(r.gs)-1) <= gutter:
			left = appendLine(left, r.y, r.size, r.gs)
		case r.gs[0].x >= gutter:
			right = appendLine(right, r.y, r.size, r.gs)
		default: // a full-width heading or caption ends a two-column block
			flush()
			out = appendLine(out, r.y, r.size, r.gs)
		}
	}
	flush()
	return out
}

// groupRows puts glyphs on the same baseline (within 0.4 × font size) into
// one row.
func groupRows(texts []pdf.Text) []row {
	var rows []row
	last := -1
	for _, t := range texts {
		if t.S == "" || t.S == "\n" || t.S == "\r" || math.IsNaN(t.X) || math.IsNaN(t.Y) || math.IsInf(t.X, 0) || math.IsInf(t.Y, 0) {
			continue
		}
		size := math.Max(math.Abs(t.FontSize), 1)
		li := -1
		if last >= 0 && math.Abs(rows[last].y-t.Y) <= 0.4*size {
			li = last
		} else {
			for j := range rows {
				if math.Abs(rows[j].y-t.Y) <= 0.4*size {
					li = j
					break
				}
			}
		}
		if li < 0 {
			li = len(rows)
			rows = append(rows, row{y: t.Y, size: size})
		}
		s := ligatures.Replace(strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, t.S))
		w := t.W
		if w <= 0 || math.IsNaN(w) || math.IsInf(w, 0) { // a font without widths: assume an average glyph
			w = 0.5 * rows[li].size * float64(len(s))
		}
		rows[li].gs = append(rows[li].gs, glyph{x: t.X, y: t.Y, w: w, s: s, space: strings.TrimSpace(s) == ""})
		last = li
	}
	for i := range rows {
		gs := rows[i].gs
		sort.SliceStable(gs, func(a, b int) bool { return gs[a].x < gs[b].x })
	}
	return rows
}

// wideGaps lists the gaps between the words of a row wider than a column
// gutter's minimum, as [from, to] x ranges, with the index of the glyph
// after each.
func wideGaps(r row, visit func(from, to float64, at int)) {
	prevEnd := math.Inf(-1)
	for i, g := range r.gs {
		if g.space {
			continue
		}
		if g.x-prevEnd > 1.5*r.size {
			visit(prevEnd, g.x, i)
		}
		prevEnd = g.x + g.w
	}
}

// findGutter looks for an x position that a wide gap crosses on at least
// three rows and 40% of the rows with text on both sides: the space between
// two columns.
func findGutter(rows []row) (float64, bool) {
	var mids []float64
	for _, r := range rows {
		wideGaps(r, func(from, to float64, _ int) {
			if len(mids) < 512 {
				mids = append(mids, (from+to)/2)
			}
		})
	}
	best, bestN := 0.0, 0
	for _, g := range mids {
		n := 0
		for _, r := range rows {
			if _, ok := splitAt(r, g); ok {
				n++
			}
		}
		if n > bestN {
			best, bestN = g, n
		}
	}
	if bestN < 3 || float64(bestN) < 0.4*float64(len(rows)) {
		return 0, false
	}
	return best, true
}

// splitAt finds a wide gap of the row that contains x.
func splitAt(r row, x float64) (int, bool) {
	at := -1
	wideGaps(r, func(from, to float64, i int) {
		if at < 0 && from < x && x < to {
			at = i
		}
	})
	return at, at >= 0
}

// appendLine renders glyphs as one line of text.
func appendLine(out []pdfLine, y, size float64, gs []glyph) []pdfLine {
	var sb strings.Builder
	var xs []float64
	prevEnd, prevSpace := math.Inf(-1), true
	for _, g := range gs {
		if !g.space && !prevSpace && g.x-prevEnd > 0.15*size {
			sb.WriteByte(' ')
			xs = append(xs, prevEnd)
		}
		sb.WriteString(g.s)
		for range len(g.s) {
			xs = append(xs, g.x)
		}
		prevEnd, prevSpace = g.x+g.w, g.space
	}
	text := strings.TrimRight(sb.String(), " ")
	if strings.TrimSpace(text) == "" {
		return out
	}
	return append(out, pdfLine{y: y, text: text, xs: xs[:len(text)]})
}
