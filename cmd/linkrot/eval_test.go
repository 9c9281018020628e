package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestExtractCommandOnDevSet runs the shared URL-repair development set
// through the extract command as a user would (standard input and a .txt
// file, with --title and --date), so format detection and the document layer
// are judged too, not only the text extractor.
func TestExtractCommandOnDevSet(t *testing.T) {
	// The dev set lives outside the module; CI points at it.
	dir := os.Getenv("LINKROT_TEST_EVAL_DIR")
	if dir == "" {
		t.Skip("LINKROT_TEST_EVAL_DIR is not set (the directory holding url-repair-dev.jsonl)")
	}
	f, err := os.Open(filepath.Join(dir, "url-repair-dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	passed, total := 0, 0
	for sc.Scan() {
		var c struct {
			ID, Text, ContextTitle, ContextDate string
			Expected                            []string
			NeedsEvidence                       bool `json:"needs_evidence"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Title string `json:"context_title"`
			Date  string `json:"context_date"`
		}
		_ = json.Unmarshal(sc.Bytes(), &raw)
		for _, name := range []string{"-", "snippet.txt"} {
			e := newTestEnv(t)
			input := name
			if name == "-" {
				e.g.stdin = strings.NewReader(c.Text)
			} else {
				input = e.write(t, name, c.Text)
			}
			err := runExtract(context.Background(), extractOptions{json: true, title: raw.Title, date: raw.Date}, e.g, input)
			if err != nil {
				t.Errorf("%s via %s: %v", c.ID, name, err)
				continue
			}
			var got, alts []string
			for _, line := range strings.Split(strings.TrimSpace(e.stdout.String()), "\n") {
				if line == "" {
					continue
				}
				var o struct {
					URL          string
					Alternatives []string
				}
				if err := json.Unmarshal([]byte(line), &o); err != nil {
					t.Fatal(err)
				}
				got = append(got, o.URL)
				alts = append(alts, o.Alternatives...)
			}
			total++
			ok := slices.EqualFunc(got, c.Expected, sameEvalURL)
			if !ok && c.NeedsEvidence && len(got) == len(c.Expected) {
				ok = slices.ContainsFunc(alts, func(a string) bool {
					return slices.ContainsFunc(c.Expected, func(w string) bool { return sameEvalURL(a, w) })
				})
			}
			if !ok {
				t.Errorf("%s via %s:\n got  %q\n want %q", c.ID, filepath.Base(name), got, c.Expected)
				continue
			}
			passed++
		}
	}
	t.Logf("extract command: %d/%d dev-set runs pass", passed, total)
}

// sameEvalURL compares as the dev set's README says: without a scheme when
// the expected URL has none.
func sameEvalURL(got, want string) bool {
	if !strings.Contains(want, "://") {
		got = strings.TrimPrefix(strings.TrimPrefix(got, "https://"), "http://")
	}
	return got == want
}
