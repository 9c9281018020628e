package sources

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// findEscapes turns the escapes of testdata/find_cases.txt into characters.
var findEscapes = strings.NewReplacer(`\n`, "\n", `\t`, "\t", `\u200b`, "\u200b", `\u200c`, "\u200c", `\u200d`, "\u200d", `\u00ad`, "\u00ad")

// TestFindCases runs testdata/find_cases.txt (issue 16's kinds) and reports
// the pass count per kind.
func TestFindCases(t *testing.T) {
	data, err := os.ReadFile("testdata/find_cases.txt")
	if err != nil {
		t.Fatal(err)
	}
	pass, total := map[string]int{}, map[string]int{}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.SplitN(line, "|", 3)
		if len(p) != 3 {
			t.Fatalf("line %d: want 3 fields", i+1)
		}
		kind, text := p[0], findEscapes.Replace(p[1])
		want := strings.Fields(findEscapes.Replace(p[2]))
		if p[2] == "-" {
			want = []string{}
		}
		occs := ExtractText(text, Evidence{})
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
	}
	kinds := make([]string, 0, len(total))
	for k := range total {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("%-10s %d/%d", k, pass[k], total[k])
	}
}
