package sources

import "html"

// RSS (0.9x, 1.0, 2.0) and Atom feeds: the URLs of items and entries (link,
// permalink guid, comments, enclosure) and those inside their HTML
// description or content, with each item's title and date. The channel's
// own link is the document's source URL.

// feedHTMLFields hold HTML (escaped, in CDATA or inline XHTML) whose links
// and text URLs are read.
var feedHTMLFields = []string{"description", "encoded", "content", "summary"}

// feedTitle reads a title, undoing the HTML escaping of Atom's type="html"
// and of the many RSS feeds that escape titles twice.
func feedTitle(n *xmlNode) string {
	return collapseSpace(html.UnescapeString(n.value))
}

func readFeed(text string, doc *Document, opts Options) error {
	itemStart := -1
	var itemTitle, itemDate string
	add := func(o Occurrence, ok bool) {
		if ok {
			doc.Occurrences = append(doc.Occurrences, o)
		}
	}
	ev := func() Evidence { return evidenceFor(doc.Title, doc.Date, opts) }
	err := walkXML(text, func(n *xmlNode) {
		inItem := itemStart >= 0
		inHTML := n.under(feedHTMLFields...)
		switch n.kind {
		case xmlStart:
			switch {
			case n.name == "item" || n.name == "entry":
				itemStart, itemTitle, itemDate = len(doc.Occurrences), "", ""
			case n.name == "link":
				o, ok := n.attrOccurrence(text, "href")
				rel, _ := n.attr("rel")
				if ok && !inItem && !inHTML && (rel == "" || rel == "alternate") {
					o.Role = RoleSource
				}
				add(o, ok)
			case n.name == "enclosure":
				add(n.attrOccurrence(text, "url"))
			case inHTML:
				for _, a := range []string{"href", "src"} {
					add(n.attrOccurrence(text, a))
				}
			}
		case xmlEnd:
			if (n.name == "item" || n.name == "entry") && inItem {
				for i := itemStart; i < len(doc.Occurrences); i++ {
					doc.Occurrences[i].Title, doc.Occurrences[i].Date = itemTitle, itemDate
				}
				itemStart = -1
			}
		case xmlText:
			switch {
			case inHTML:
				// Escaped HTML is read as text: the extractor knows where
				// an attribute's quote, escaped or not, ends a URL.
				doc.Occurrences = append(doc.Occurrences, shift(ExtractText(text[n.start:n.end], ev()), n.start)...)
			case n.name == "title" && inItem:
				itemTitle += feedTitle(n)
			case n.name == "title" && len(n.path) <= 3 && doc.Title == "":
				doc.Title = feedTitle(n)
			case contains([]string{"pubdate", "date", "published", "updated", "lastbuilddate"}, n.name):
				switch d := findDate(n.value); {
				case inItem && itemDate == "":
					itemDate = d
				case !inItem && doc.Date == "":
					doc.Date = d
				}
			case n.name == "link":
				o, ok := n.textOccurrence(text)
				if !inItem {
					o.Role = RoleSource
				}
				add(o, ok)
			case n.name == "guid" && inItem:
				if p, _ := n.attr("ispermalink"); p != "false" {
					add(n.textOccurrence(text))
				}
			case n.name == "comments" && inItem:
				add(n.textOccurrence(text))
			}
		}
	})
	return structuredDone(text, doc, "feed", err)
}
