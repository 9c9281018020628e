package sources

// Raindrop.io's CSV export: id,title,note,excerpt,url,folder,tags,created,…
// with created in RFC 3339.
func readRaindrop(text string, doc *Document, _ Options) error {
	return readCSVExport(text, doc, csvExport{what: "Raindrop CSV export", url: "url", title: "title", dat: "created", date: findDate})
}
