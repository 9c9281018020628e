package sources

import (
	"html"
	"strings"

	xhtml "golang.org/x/net/html"
)

// Pocket exports come in two shapes: the older HTML page ("Pocket Export",
// one <a href time_added tags> per saved item) and the newer CSV with
// title,url,time_added,tags,status columns.
func readPocket(text string, doc *Document, _ Options) error {
	if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(text, "\ufeff")), "<") {
		return readPocketHTML(text, doc)
	}
	return readCSVExport(text, doc, csvExport{what: "Pocket CSV export", url: "url", title: "title", dat: "time_added", date: unixDate})
}

func readPocketHTML(text string, doc *Document) error {
	z := xhtml.NewTokenizer(strings.NewReader(text))
	off := 0
	open := -1 // the occurrence whose anchor text is being read
	inTitle := false
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := string(z.Raw())
		start := off
		off += len(raw)
		name, _ := z.TagName()
		switch tt {
		case xhtml.StartTagToken:
			switch string(name) {
			case "title":
				inTitle = true
			case "a":
				var o Occurrence
				ok := false
				date := ""
				for _, a := range TagAttrs(raw) {
					switch a.Name {
					case "href":
						o, ok = fieldOccurrence(text, start+a.Start, start+a.End, raw[a.Start:a.End])
					case "time_added":
						date = unixDate(raw[a.Start:a.End])
					}
				}
				if ok {
					o.Date = date
					doc.Occurrences = append(doc.Occurrences, o)
					open = len(doc.Occurrences) - 1
				}
			}
		case xhtml.EndTagToken:
			switch string(name) {
			case "title":
				inTitle = false
			case "a":
				open = -1
			}
		case xhtml.TextToken:
			switch {
			case inTitle:
				doc.Title += collapseSpace(html.UnescapeString(raw))
			case open >= 0:
				doc.Occurrences[open].Title += collapseSpace(html.UnescapeString(raw))
			}
		}
	}
	return structuredDone(text, doc, "Pocket HTML export", nil)
}
