package ui

import (
	"bytes"
	"testing"
)

func TestPrinterSeparatesResultsFromDiagnostics(t *testing.T) {
	var out, errw bytes.Buffer
	p := New(&out, &errw, false)
	p.Printf("result %d\n", 1)
	if err := p.JSON(map[string]int{"n": 2}); err != nil {
		t.Fatal(err)
	}
	p.Infof("summary")
	p.Warnf("%s: bad", "file.txt")
	if out.String() != "result 1\n{\"n\":2}\n" {
		t.Errorf("stdout = %q", out.String())
	}
	if errw.String() != "summary\nwarning: file.txt: bad\n" {
		t.Errorf("stderr = %q", errw.String())
	}

	out.Reset()
	errw.Reset()
	q := New(&out, &errw, true)
	q.Infof("hidden")
	q.Warnf("shown")
	if errw.String() != "warning: shown\n" {
		t.Errorf("quiet stderr = %q", errw.String())
	}
}
