package sources

// XML sitemaps (urlset) and sitemap indexes (sitemapindex): every loc, the
// hreflang alternates (xhtml:link), and each entry's lastmod as its date.

func readSitemap(text string, doc *Document, _ Options) error {
	entry := -1
	var lastmod string
	err := walkXML(text, func(n *xmlNode) {
		switch n.kind {
		case xmlStart:
			switch n.name {
			case "url", "sitemap":
				entry, lastmod = len(doc.Occurrences), ""
			case "link":
				if o, ok := n.attrOccurrence(text, "href"); ok {
					doc.Occurrences = append(doc.Occurrences, o)
				}
			}
		case xmlEnd:
			if (n.name == "url" || n.name == "sitemap") && entry >= 0 {
				for i := entry; i < len(doc.Occurrences); i++ {
					doc.Occurrences[i].Date = lastmod
				}
				entry = -1
			}
		case xmlText:
			switch n.name {
			case "loc":
				if o, ok := n.textOccurrence(text); ok {
					doc.Occurrences = append(doc.Occurrences, o)
				}
			case "lastmod":
				lastmod = findDate(n.value)
			}
		}
	})
	return structuredDone(text, doc, "sitemap", err)
}
