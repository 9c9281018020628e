package archive

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLeftoversReportedAndRemoved: temporary files in the blob store and
// elsewhere in the data directory, and a blob no snapshot names, are
// problems for Verify; RemoveLeftovers spares the ones younger than the
// grace period and removes the rest, and never a blob a snapshot names.
func TestLeftoversReportedAndRemoved(t *testing.T) {
	e := newEnv(t, nil)
	e.capture(t, htmlResponse("https://crash.example/a", articlePage("First", harbourParas...), t0), Captured)
	orphan, _, err := e.a.blobs.put([]byte("a capture killed before its snapshot was recorded"))
	if err != nil {
		t.Fatal(err)
	}
	orphanPath, _ := e.a.blobs.path(orphan)
	tmpBlob := filepath.Join(e.dir, blobDir, "ab", blobTempPrefix+"123456")
	tmpReport := filepath.Join(e.dir, "reports", blobTempPrefix+"report")
	young := filepath.Join(e.dir, blobDir, "ab", blobTempPrefix+"young")
	for _, p := range []string{tmpBlob, tmpReport, young} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("half written"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	for _, p := range []string{tmpBlob, tmpReport, orphanPath} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}

	ps, st := e.verify(t)
	want := map[string]ProblemKind{
		"blobs/ab/" + blobTempPrefix + "123456": ProblemTempFile, "reports/" + blobTempPrefix + "report": ProblemTempFile,
		"blobs/ab/" + blobTempPrefix + "young": ProblemTempFile, e.a.rel(orphanPath): ProblemUnreferenced,
	}
	for _, p := range ps {
		if want[p.Path] == p.Kind {
			delete(want, p.Path)
		} else {
			t.Errorf("unexpected problem %s", p)
		}
	}
	if len(want) != 0 {
		t.Errorf("not reported: %v", want)
	}
	if st.TempFiles != 3 || st.Unreferenced != 1 || st.Problems != 4 {
		t.Errorf("stats %+v", st)
	}

	c, err := e.a.RemoveLeftovers(ctxT(t), LeftoverGrace)
	if err != nil {
		t.Fatal(err)
	}
	if c.TempFiles != 2 || c.Blobs != 1 || c.Kept != 1 {
		t.Errorf("cleanup %+v", c)
	}
	for _, p := range []string{tmpBlob, tmpReport, orphanPath} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there", p)
		}
	}
	if _, err := os.Stat(young); err != nil {
		t.Errorf("the young temporary file was removed: %v", err)
	}
	// The snapshot's blobs are untouched and it restores.
	if raw := e.restore(t, "https://crash.example/a", FormatRaw); len(raw) == 0 {
		t.Error("the kept snapshot lost its blob")
	}
	if _, err := e.a.RemoveLeftovers(ctxT(t), 0); err != nil {
		t.Fatal(err)
	}
	if ps, _ := e.verify(t); len(ps) != 0 {
		t.Errorf("problems after removing every leftover: %v", ps)
	}
}
