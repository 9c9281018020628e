package sources

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchCorpus builds a deterministic text of about size bytes: wrapped prose
// with one URL every ~500 bytes, a fifth of them damaged (wrapped, hyphen at
// a break, entities, invisible characters, defanged, trailing punctuation).
func benchCorpus(size int) string {
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields(`the council said on monday that its plans for the harbour would go
		ahead despite objections from residents who fear more traffic and noise along the coast road
		officials added that a consultation will open in spring and run for twelve weeks while
		engineers survey the old quay walls and the water board reviews its flood maps`)
	hosts := []string{"www.example.com", "news.example.org", "data.example.gov", "blog.example.net"}
	var sb strings.Builder
	line := 0
	write := func(s string) {
		if line+len(s) > 72 {
			sb.WriteByte('\n')
			line = 0
		} else if line > 0 {
			sb.WriteByte(' ')
			line++
		}
		sb.WriteString(s)
		line += len(s)
	}
	n := 0
	for sb.Len() < size {
		for k := 0; k < 70; k++ {
			w := words[r.IntN(len(words))]
			if k%12 == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			write(w)
		}
		n++
		u := fmt.Sprintf("https://%s/%d/%02d/story-about-the-harbour-plan-%d", hosts[n%len(hosts)], 2000+n%20, n%12+1, r.IntN(1e6))
		switch n % 10 {
		case 0: // wrapped with a newline inside the slug
			sb.WriteString("\nSource: " + u[:40] + "\n" + u[40:] + "\n")
			line = 0
		case 1: // hyphen at a break before a number
			sb.WriteString(" " + u + "-\n" + fmt.Sprint(r.IntN(1e7)) + ".html.")
			line = 0
		case 2: // entities and a trailing zero-width space
			write(u + "?a=1&amp;b=2\u200b,")
		case 3: // defanged
			write("hxxps://evil[.]example[.]com/" + fmt.Sprint(n))
		case 4: // scheme-less
			write("(www.example.org/page/" + fmt.Sprint(n) + ").")
		default:
			write(u + ".")
		}
	}
	return sb.String()
}

func BenchmarkExtractText(b *testing.B) {
	text := benchCorpus(2 << 20)
	ev := Evidence{Title: "Council Backs Harbour Plan", Date: "2015-03-04"}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		ExtractText(text, ev)
	}
	reportCPU(b, cpu0, len(text))
}

func TestBenchCorpusFindsURLs(t *testing.T) {
	text := benchCorpus(64 << 10)
	occs := ExtractText(text, Evidence{})
	checkOffsets(t, text, occs)
	perURL := len(text) / max(1, len(occs))
	if perURL < 300 || perURL > 800 {
		t.Errorf("one URL per %d bytes; corpus drifted", perURL)
	}
	repaired := 0
	for _, o := range occs {
		if o.Repaired {
			repaired++
		}
	}
	if repaired*10 < len(occs) {
		t.Errorf("only %d of %d repaired", repaired, len(occs))
	}
}
