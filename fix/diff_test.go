package fix

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestDiffFormat(t *testing.T) {
	old := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n"
	new := strings.Replace(strings.Replace(old, "2\n", "two\n", 1), "18\n", "", 1)
	new += "21"
	want := `--- a/doc.txt
+++ b/doc.txt
@@ -1,5 +1,5 @@
 1
-2
+two
 3
 4
 5
@@ -15,6 +15,6 @@
 15
 16
 17
-18
 19
 20
+21
\ No newline at end of file
`
	if got := string(Diff("doc.txt", []byte(old), []byte(new))); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if Diff("x", []byte(old), []byte(old)) != nil {
		t.Error("equal texts give a diff")
	}
	// Close changes share one hunk; a one-line file.
	got := string(Diff("d", []byte("a\nb\nc\nd\ne\nf\ng\nh\n"), []byte("A\nb\nc\nd\ne\nf\ng\nH\n")))
	if strings.Count(got, "@@ -") != 1 || !strings.Contains(got, "@@ -1,8 +1,8 @@") {
		t.Errorf("one hunk expected:\n%s", got)
	}
	got = string(Diff("d", []byte("only\n"), []byte("")))
	if want := "--- a/d\n+++ b/d\n@@ -1 +0,0 @@\n-only\n"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

// TestDiffRoundTrip applies random diffs back with a small patch reader,
// compares the edit size with GNU diff's, and feeds them to patch(1)
// when it is installed.
func TestDiffRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"a\n", "b\n", "c\n", "d\n", "e\n", "https://x.example/1\n", "\n"}
	gnuDiff, _ := exec.LookPath("diff")
	patch, _ := exec.LookPath("patch")
	dir := t.TempDir()
	for i := range 300 {
		var a []string
		for range rng.IntN(40) {
			a = append(a, words[rng.IntN(len(words))])
		}
		b := append([]string(nil), a...)
		for range rng.IntN(6) {
			switch k := rng.IntN(3); {
			case k == 0 && len(b) > 0:
				j := rng.IntN(len(b))
				b = append(b[:j], b[j+1:]...)
			case k == 1:
				j := rng.IntN(len(b) + 1)
				b = append(b[:j], append([]string{words[rng.IntN(len(words))]}, b[j:]...)...)
			case len(b) > 0:
				b[rng.IntN(len(b))] = words[rng.IntN(len(words))]
			}
		}
		old, new := strings.Join(a, ""), strings.Join(b, "")
		if rng.IntN(4) == 0 && strings.HasSuffix(new, "\n") {
			new = strings.TrimSuffix(new, "\n")
		}
		d := Diff("f.txt", []byte(old), []byte(new))
		if (d == nil) != (old == new) {
			t.Fatalf("case %d: nil diff %v for equal %v", i, d == nil, old == new)
		}
		if d == nil {
			continue
		}
		if got := applyUnified(t, old, string(d)); got != new {
			t.Fatalf("case %d: applying\n%s\nto %q gives %q, want %q", i, d, old, got, new)
		}
		if gnuDiff == "" {
			continue
		}
		fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		os.WriteFile(fa, []byte(old), 0o644)
		os.WriteFile(fb, []byte(new), 0o644)
		out, _ := exec.Command(gnuDiff, "-u", fa, fb).Output()
		if ours, theirs := changedLines(string(d)), changedLines(string(out)); ours > theirs {
			t.Fatalf("case %d: %d changed lines, GNU diff needs %d:\n%s\n%s", i, ours, theirs, d, out)
		}
		if patch != "" && i%10 == 0 {
			os.WriteFile(filepath.Join(dir, "f.txt"), []byte(old), 0o644)
			cmd := exec.Command(patch, "-s", "-p1")
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader(string(d))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("case %d: patch: %v\n%s\n%s", i, err, out, d)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "f.txt")); string(got) != new {
				t.Fatalf("case %d: patch gives %q, want %q", i, got, new)
			}
		}
	}
}

func changedLines(d string) int {
	n := 0
	for _, l := range strings.Split(d, "\n") {
		if (strings.HasPrefix(l, "+") || strings.HasPrefix(l, "-")) && !strings.HasPrefix(l, "+++") && !strings.HasPrefix(l, "---") {
			n++
		}
	}
	return n
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// applyUnified applies a unified diff to old, checking every context and
// removed line and every hunk count as it goes.
func applyUnified(t *testing.T, old, diff string) string {
	t.Helper()
	a := splitLines(old)
	lines := splitLines(diff)
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- a/") || !strings.HasPrefix(lines[1], "+++ b/") {
		t.Fatalf("bad header:\n%s", diff)
	}
	var out []string
	ai := 0
	for i := 2; i < len(lines); {
		m := hunkHeader.FindStringSubmatch(strings.TrimSuffix(lines[i], "\n"))
		if m == nil {
			t.Fatalf("line %q: want a hunk header", lines[i])
		}
		count := func(s string) int {
			if s == "" {
				return 1
			}
			n, _ := strconv.Atoi(s)
			return n
		}
		sa, na, nb := count(m[1]), count(m[2]), count(m[4])
		if na == 0 {
			sa++ // an empty range names the line before it
		}
		for ai < sa-1 {
			out = append(out, a[ai])
			ai++
		}
		i++
		seenA, seenB := 0, 0
		for i < len(lines) && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			body := l[1:]
			if i+1 < len(lines) && lines[i+1] == "\\ No newline at end of file\n" {
				body = strings.TrimSuffix(body, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if ai >= len(a) || a[ai] != body {
					t.Fatalf("line %d of old is %q, diff says %q", ai+1, at(a, ai), body)
				}
				ai++
				seenA++
				if l[0] == ' ' {
					out = append(out, body)
					seenB++
				}
			case '+':
				out = append(out, body)
				seenB++
			default:
				t.Fatalf("bad diff line %q", l)
			}
			i++
		}
		if seenA != na || seenB != nb {
			t.Fatalf("hunk %s: counted -%d +%d", m[0], seenA, seenB)
		}
	}
	out = append(out, a[ai:]...)
	return strings.Join(out, "")
}

func at(a []string, i int) string {
	if i < len(a) {
		return a[i]
	}
	return fmt.Sprintf("<end of file at %d>", len(a))
}
