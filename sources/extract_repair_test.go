package sources

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestRepairCases runs testdata/repair_cases.txt (issue 9's failure kinds)
// and reports the pass count per kind.
func TestRepairCases(t *testing.T) {
	data, err := os.ReadFile("testdata/repair_cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	pass, total := map[string]int{}, map[string]int{}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.SplitN(line, "|", 5)
		if len(p) != 5 {
			t.Fatalf("line %d: want 5 fields", i+1)
		}
		kind, text := p[0], findEscapes.Replace(p[3])
		want := strings.Fields(p[4])
		if p[4] == "-" {
			want = []string{}
		}
		occs := ExtractText(text, Evidence{Title: p[1], Date: p[2]})
		checkOffsets(t, text, occs)
		got := []string{}
		for _, o := range occs {
			got = append(got, o.URL)
		}
		total[kind]++
		if slices.Equal(got, want) {
			pass[kind]++
			continue
		}
		t.Errorf("line %d (%s): %q\n got  %q\n want %q", i+1, kind, text, got, want)
		for _, o := range occs {
			t.Logf("  %s conf=%.2f reasons=%v alts=%v", o.URL, o.Confidence, o.Reasons, o.Alternatives)
		}
	}
	kinds := make([]string, 0, len(total))
	for k := range total {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("%-16s %d/%d", k, pass[k], total[k])
	}
}
