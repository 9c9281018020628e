package fix

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around each change,
// as diff -u and git do.
const diffContext = 3

// Diff returns the unified diff of old and new, with headers "--- a/PATH"
// and "+++ b/PATH" and hunks of three lines of context, in the form patch
// and git apply read (a one-line range is written without its count, a
// missing final newline is marked). It is nil when they are equal.
func Diff(path string, old, new []byte) []byte {
	a, b := splitLines(string(old)), splitLines(string(new))
	ops := diffLines(a, b)
	changed := false
	for _, o := range ops {
		if o.kind != opEqual {
			changed = true
			break
		}
	}
	if !changed {
		return nil
	}
	var w strings.Builder
	fmt.Fprintf(&w, "--- a/%s\n+++ b/%s\n", path, path)
	for _, h := range hunks(ops, diffContext) {
		writeHunk(&w, a, b, ops[h[0]:h[1]])
	}
	return []byte(w.String())
}

// splitLines splits text after each newline; the last line has none when
// the text does not end with one. Lines keep their newline, so a last line
// without one differs from the same text with one, as it must.
func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

type opKind byte

const (
	opEqual  opKind = ' '
	opDelete opKind = '-'
	opInsert opKind = '+'
)

// op is one line of the edit script: a[ai] kept or deleted, or b[bi]
// inserted; both indexes say where the script is in each file.
type op struct {
	kind   opKind
	ai, bi int
}

// diffLines returns a shortest edit script from a to b (Myers' O(ND)
// algorithm). The common head and tail are taken off first, which is all
// there is to most of fix's diffs: a few changed lines in a long file.
func diffLines(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []op
	for i := 0; i < pre; i++ {
		ops = append(ops, op{opEqual, i, i})
	}
	for _, o := range myers(a[pre:len(a)-suf], b[pre:len(b)-suf]) {
		o.ai += pre
		o.bi += pre
		ops = append(ops, o)
	}
	for i := 0; i < suf; i++ {
		ops = append(ops, op{opEqual, len(a) - suf + i, len(b) - suf + i})
	}
	return ops
}

// myers finds, for each number of edits d, the furthest point reachable
// on every diagonal k = x - y, keeping each step's frontier (2d+1 entries,
// so memory grows with the square of the edits, not with the size of the
// files) and the move that reached it; then it walks back from the end.
// Moves that would leave the grid are never taken, so every point on a
// recorded path is a real pair of lines.
func myers(a, b []string) []op {
	n, m := len(a), len(b)
	if n+m == 0 {
		return nil
	}
	var (
		xs    [][]int  // xs[d][k+d]: furthest x, or -1 if unreachable
		downs [][]bool // downs[d][k+d]: reached by an insertion (else a deletion)
	)
	for d := 0; ; d++ {
		row, down := make([]int, 2*d+1), make([]bool, 2*d+1)
		prev := func(k int) int {
			if d == 0 || k < -(d-1) || k > d-1 {
				return -1
			}
			return xs[d-1][k+d-1]
		}
		done := false
		for k := -d; k <= d; k += 2 {
			x := 0
			if d > 0 {
				xd, xr := prev(k+1), prev(k-1)
				okD := xd >= 0 && xd-k <= m
				okR := xr >= 0 && xr+1 <= n
				switch {
				case okR && (!okD || xr+1 > xd):
					x = xr + 1
				case okD:
					x, down[k+d] = xd, true
				default:
					row[k+d] = -1
					continue
				}
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			row[k+d] = x
			if x == n && y == m {
				done = true
			}
		}
		xs, downs = append(xs, row), append(downs, down)
		if done {
			break
		}
	}
	var rev []op
	x, y := n, m
	for d := len(xs) - 1; d >= 0; d-- {
		k := x - y
		startX, prevX, prevK := 0, 0, 0
		if d > 0 {
			prevK = k - 1
			if downs[d][k+d] {
				prevK = k + 1
			}
			prevX = xs[d-1][prevK+d-1]
			startX = prevX
			if !downs[d][k+d] {
				startX++
			}
		}
		for x > startX {
			x--
			y--
			rev = append(rev, op{opEqual, x, y})
		}
		if d > 0 {
			if downs[d][k+d] {
				y--
				rev = append(rev, op{opInsert, x, y})
			} else {
				x--
				rev = append(rev, op{opDelete, x, y})
			}
		}
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// hunks groups the script's changes with ctx lines of context on each
// side, joining changes whose contexts touch; each hunk is a range of ops.
func hunks(ops []op, ctx int) [][2]int {
	var out [][2]int
	for i := 0; i < len(ops); {
		if ops[i].kind == opEqual {
			i++
			continue
		}
		start := max(i-ctx, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != opEqual {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == opEqual {
				run++
			}
			if run == len(ops) || run-end > 2*ctx {
				end = min(end+ctx, len(ops))
				break
			}
			end = run
		}
		out = append(out, [2]int{start, end})
		i = end
	}
	return out
}

func writeHunk(w *strings.Builder, a, b []string, ops []op) {
	var na, nb int
	for _, o := range ops {
		if o.kind != opInsert {
			na++
		}
		if o.kind != opDelete {
			nb++
		}
	}
	// A range starts at its first line, or, when empty, at the line
	// before it (0 at the top of the file).
	sa, sb := ops[0].ai+1, ops[0].bi+1
	if na == 0 {
		sa--
	}
	if nb == 0 {
		sb--
	}
	fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(sa, na), hunkRange(sb, nb))
	for _, o := range ops {
		line := ""
		switch o.kind {
		case opInsert:
			line = b[o.bi]
		default:
			line = a[o.ai]
		}
		w.WriteByte(byte(o.kind))
		w.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			w.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
