package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWalkSkipsHiddenFollowsSymlinksOnce(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.txt"), "a")
	writeFile(t, filepath.Join(dir, "sub", "b.md"), "b")
	writeFile(t, filepath.Join(dir, ".git", "config"), "hidden")
	writeFile(t, filepath.Join(dir, ".hidden", "c.txt"), "hidden")
	writeFile(t, filepath.Join(dir, "photo.png"), "\x89PNG")
	// A symlink back to the root would loop forever if followed blindly.
	if err := os.Symlink(dir, filepath.Join(dir, "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	var visited []string
	var warnings []string
	err := Walk([]string{dir}, func(p string) error {
		rel, _ := filepath.Rel(dir, p)
		visited = append(visited, rel)
		return nil
	}, func(e *WalkError) { warnings = append(warnings, e.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(visited, ","); got != "a.txt,sub/b.md" {
		t.Errorf("visited %s", got)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "symlink loop") {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestWalkGlobsAndMissing(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "x1.txt"), "1")
	writeFile(t, filepath.Join(dir, "x2.txt"), "2")
	writeFile(t, filepath.Join(dir, "y.png"), "png named explicitly is tried")
	var visited, warnings []string
	err := Walk([]string{filepath.Join(dir, "x*.txt"), filepath.Join(dir, "y.png"), filepath.Join(dir, "nope.txt"), filepath.Join(dir, "z*")},
		func(p string) error { visited = append(visited, filepath.Base(p)); return nil },
		func(e *WalkError) { warnings = append(warnings, e.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(visited, ","); got != "x1.txt,x2.txt,y.png" {
		t.Errorf("visited %s", got)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "nope.txt") || !strings.Contains(warnings[1], "matches no file") {
		t.Errorf("warnings = %q", warnings)
	}
}
