package fix

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/linkrot/linkrot/ingest"
)

// A PDF is read by add but never edited by fix: its offsets are into the
// extracted text, not the file. (Feeds, sitemaps and exports are skipped the
// same way.)
func TestRunSkipsPDF(t *testing.T) {
	e := newEnv(t)
	p := fpdf.New("P", "pt", "A4", "")
	p.SetCompression(false) // the URL's bytes are in the file, as a trap for a blind edit
	p.SetFont("Helvetica", "", 11)
	p.AddPage()
	p.Text(72, 90, "Dead: "+deadURL)
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(e.dir, "docs", "paper.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Add(t.Context(), e.st, []string{path}, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	_, results := e.run(t, Options{Write: true, Backup: true})
	r := results["paper.pdf"]
	if !strings.HasPrefix(r.Skipped, "a pdf document") || r.Written || r.Err != nil {
		t.Errorf("result %+v: want skipped as a PDF", r)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, buf.Bytes()) {
		t.Error("PDF changed")
	}
}
