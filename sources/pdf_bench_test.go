package sources

import (
	"fmt"
	"testing"
)

// BenchmarkPDFPages reads a 20-page report of 45 justified lines a page,
// with a wrapped URL under a link annotation on every page, and reports
// pages per second (text rebuilt, URLs extracted and matched).
func BenchmarkPDFPages(b *testing.B) {
	const pages = 20
	var spec [][]pdfLineSpec
	for p := 0; p < pages; p++ {
		var lines []pdfLineSpec
		for l := 0; l < 45; l++ {
			lines = append(lines, pdfLineSpec{text: "The survey covered rivers, lakes and wetlands over ten years of field work", justify: true})
		}
		target := fmt.Sprintf("https://data.example.org/survey/%d/results-table.csv", p)
		lines[20] = pdfLineSpec{text: fmt.Sprintf("Results are at https://data.example.org/survey/%d/results-", p), justify: true, link: target}
		lines[21] = pdfLineSpec{text: "table.csv with the methods and the raw gauge readings of all", justify: true, link: target}
		spec = append(spec, lines)
	}
	content := makePDF(b, "Survey", spec)
	b.SetBytes(int64(len(content)))
	b.ResetTimer()
	for b.Loop() {
		doc, err := ExtractDocument("survey.pdf", content, Options{})
		if err != nil || len(doc.Occurrences) != pages {
			b.Fatalf("%d URLs, err %v", len(doc.Occurrences), err)
		}
	}
	b.ReportMetric(float64(b.N*pages)/b.Elapsed().Seconds(), "pages/s")
}
