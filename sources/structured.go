package sources

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// structuredReaders read the formats whose URLs sit in fields (feeds,
// sitemaps, bookmark exports). Each sets Start/End; the line and column
// come from setPositions in structuredDone.
var structuredReaders = map[Format]func(text string, doc *Document, opts Options) error{
	FormatFeed:     readFeed,
	FormatSitemap:  readSitemap,
	FormatPocket:   readPocket,
	FormatPinboard: readPinboard,
	FormatRaindrop: readRaindrop,
}

// detectStructured recognises those formats by their content: the root
// element of XML, the shape of JSON, the header of CSV. lower is the
// lower-cased, trimmed head of the document.
func detectStructured(lower []byte) Format {
	switch {
	case len(lower) == 0:
		return ""
	case lower[0] == '<':
		switch xmlRoot(lower) {
		case "rss", "rdf", "feed":
			return FormatFeed
		case "urlset", "sitemapindex":
			return FormatSitemap
		case "html":
			if bytes.Contains(lower, []byte("<title>pocket export</title>")) {
				return FormatPocket
			}
		}
	case lower[0] == '[':
		if bytes.Contains(lower, []byte(`"href"`)) && (bytes.Contains(lower, []byte(`"time"`)) || bytes.Contains(lower, []byte(`"description"`))) {
			return FormatPinboard
		}
	default:
		header := lower
		if i := bytes.IndexByte(header, '\n'); i >= 0 {
			header = header[:i]
		}
		cols := csvHeader(string(header))
		switch {
		case cols["url"] && cols["time_added"]:
			return FormatPocket
		case cols["url"] && cols["created"] && (cols["excerpt"] || cols["folder"]):
			return FormatRaindrop
		}
	}
	return ""
}

// xmlRoot returns the local name of the first element, past the XML
// declaration, comments and a doctype; "" when there is none.
func xmlRoot(lower []byte) string {
	s := lower
	for {
		s = bytes.TrimSpace(s)
		switch {
		case bytes.HasPrefix(s, []byte("<?")):
			i := bytes.Index(s, []byte("?>"))
			if i < 0 {
				return ""
			}
			s = s[i+2:]
		case bytes.HasPrefix(s, []byte("<!--")):
			i := bytes.Index(s, []byte("-->"))
			if i < 0 {
				return ""
			}
			s = s[i+3:]
		case bytes.HasPrefix(s, []byte("<!")):
			i := bytes.IndexByte(s, '>')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case bytes.HasPrefix(s, []byte("<")):
			end := bytes.IndexAny(s, " \t\r\n/>")
			if end < 0 {
				return ""
			}
			name := string(s[1:end])
			if i := strings.IndexByte(name, ':'); i >= 0 {
				name = name[i+1:]
			}
			return name
		default:
			return ""
		}
	}
}

// csvHeader reads the column names of a CSV header line.
func csvHeader(line string) map[string]bool {
	r := csv.NewReader(strings.NewReader(line))
	rec, err := r.Read()
	if err != nil || len(rec) < 2 {
		return nil
	}
	cols := map[string]bool{}
	for _, c := range rec {
		cols[strings.TrimSpace(c)] = true
	}
	return cols
}

// fieldOccurrence makes the occurrence of a URL stored in a field whose raw
// text is text[start:end]; value is what the field holds once its format's
// escapes are undone. ok is false when it is not an absolute web URL.
func fieldOccurrence(text string, start, end int, value string) (Occurrence, bool) {
	// Trim around the raw span as the value is trimmed.
	for start < end && isHTMLSpace(text[start]) {
		start++
	}
	for end > start && isHTMLSpace(text[end-1]) {
		end--
	}
	raw := text[start:end]
	u, repairs, ok := CleanAttrURL(value)
	if !ok {
		return Occurrence{}, false
	}
	return Occurrence{
		URL: u, Raw: raw, Start: start, End: end, Role: RoleCited,
		Repaired: len(repairs) > 0, Repairs: repairs, Confidence: 1,
		Alternatives: []string{}, Reasons: []string{},
	}, true
}

// structuredDone orders a structured document's occurrences and numbers
// their lines. A read error after some URLs were found becomes a warning, so
// that a truncated export still gives what it holds.
func structuredDone(text string, doc *Document, what string, err error) error {
	sort.SliceStable(doc.Occurrences, func(i, j int) bool { return doc.Occurrences[i].Start < doc.Occurrences[j].Start })
	setPositions(text, doc.Occurrences)
	if err == nil {
		return nil
	}
	err = fmt.Errorf("%s: %w", what, err)
	if len(doc.Occurrences) > 0 {
		doc.Warnings = append(doc.Warnings, err.Error()+"; URLs after it were not read")
		return nil
	}
	return err
}

// lineOf gives the 1-based line of offset at in text.
func lineOf(text string, at int) int {
	return strings.Count(text[:min(at, len(text))], "\n") + 1
}

// xmlError describes an encoding/xml error with its line.
func xmlError(text string, d *xml.Decoder, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("XML syntax error on line %d: %s", se.Line, se.Msg)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("XML ends early, on line %d", lineOf(text, int(d.InputOffset())))
	}
	return fmt.Errorf("XML error on line %d: %v", lineOf(text, int(d.InputOffset())), err)
}
