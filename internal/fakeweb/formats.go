package fakeweb

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// CharsetIn says where a legacy-encoded page declares its charset.
type CharsetIn int

const (
	// InHeader puts the charset in the Content-Type header.
	InHeader CharsetIn = 1 << iota
	// InMeta puts it in a <meta charset> tag.
	InMeta
)

// Charset serves a 200 HTML page encoded in charset ("windows-1251",
// "iso-8859-1" or "windows-1252"; the last is treated as its Latin-1
// subset), declared where in says (0 declares it nowhere, leaving the
// client to guess). Runes the charset lacks become '?'. It panics on an
// unknown charset, which is a mistake in the test, not a condition to
// simulate.
func Charset(charset string, in CharsetIn, title, body string) Behaviour {
	enc := encoder(charset)
	if enc == nil {
		panic("fakeweb: unsupported charset " + charset)
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n<head>\n")
	if in&InMeta != 0 {
		fmt.Fprintf(&b, "<meta charset=\"%s\">\n", charset)
	}
	fmt.Fprintf(&b, "<title>%s</title>\n</head>\n<body>\n<article>\n<h1>%s</h1>\n%s\n</article>\n</body>\n</html>\n",
		html.EscapeString(title), html.EscapeString(title), body)
	page := enc(b.String())
	ct := "text/html"
	if in&InHeader != 0 {
		ct += "; charset=" + charset
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", ct)
		rw.Header().Set("Content-Length", strconv.Itoa(len(page)))
		rw.Write(page)
	})
}

// encoder returns a UTF-8 → charset converter. The standard library has no
// legacy encoders, and the two families the crawler meets most are small
// enough to table here.
func encoder(charset string) func(string) []byte {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		return func(s string) []byte {
			out := make([]byte, 0, len(s))
			for _, r := range s {
				if r < 0x100 {
					out = append(out, byte(r))
				} else {
					out = append(out, '?')
				}
			}
			return out
		}
	case "windows-1251", "cp1251":
		return func(s string) []byte {
			out := make([]byte, 0, len(s))
			for _, r := range s {
				out = append(out, cp1251(r))
			}
			return out
		}
	}
	return nil
}

// cp1251 maps a rune to windows-1251: ASCII, the Russian alphabet, and the
// Ukrainian/Belarusian letters and punctuation common in news text.
func cp1251(r rune) byte {
	switch {
	case r < 0x80:
		return byte(r)
	case r >= 0x410 && r <= 0x44F: // А..я
		return byte(r - 0x410 + 0xC0)
	}
	switch r {
	case 'Ё':
		return 0xA8
	case 'ё':
		return 0xB8
	case 'Є':
		return 0xAA
	case 'є':
		return 0xBA
	case 'І':
		return 0xB2
	case 'і':
		return 0xB3
	case 'Ї':
		return 0xAF
	case 'ї':
		return 0xBF
	case 'Ґ':
		return 0xA5
	case 'ґ':
		return 0xB4
	case 'Ў':
		return 0xA1
	case 'ў':
		return 0xA2
	case '«':
		return 0xAB
	case '»':
		return 0xBB
	case '–':
		return 0x96
	case '—':
		return 0x97
	case '“':
		return 0x93
	case '”':
		return 0x94
	case '„':
		return 0x84
	case '№':
		return 0xB9
	case '\u00A0':
		return 0xA0
	}
	return '?'
}

// PDF serves a one-page PDF (application/pdf) whose document title is title
// and whose page shows title and text. It is a valid PDF 1.4 with a correct
// cross-reference table, so real PDF text extractors read it.
func PDF(title, text string) Behaviour {
	doc := pdfDoc(title, text)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/pdf")
		rw.Header().Set("Content-Length", strconv.Itoa(len(doc)))
		rw.Write(doc)
	})
}

func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7F:
			b.WriteRune(r)
		default:
			// Standard 14 fonts with no encoding set cover ASCII only.
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String()
}

func pdfDoc(title, text string) []byte {
	var content strings.Builder
	fmt.Fprintf(&content, "BT\n/F1 18 Tf\n72 720 Td\n%s Tj\n/F1 11 Tf\n", pdfString(title))
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(&content, "0 -16 Td\n%s Tj\n", pdfString(line))
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", content.Len(), content.String()),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Title %s /Producer (linkrot fakeweb) >>", pdfString(title)),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, len(objs), xref)
	return b.Bytes()
}
