package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplacesWholeAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{}, {Durable: true, TempPrefix: ".tmp-", Mode: 0o600}} {
		if err := Write(p, []byte("new "+o.TempPrefix), o); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != "new "+o.TempPrefix {
			t.Fatalf("content %q, %v", got, err)
		}
		info, _ := os.Stat(p)
		want := o.Mode
		if want == 0 {
			want = 0o644
		}
		if info.Mode().Perm() != want {
			t.Errorf("mode %v, want %v", info.Mode().Perm(), want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftover files: %v", entries)
	}
	if err := Write(filepath.Join(dir, "missing", "x"), []byte("x"), Options{}); err == nil {
		t.Error("a missing directory must be an error")
	}
}
