// Package sources reads documents (plain text, Markdown, HTML, bookmark
// exports) and finds the URLs they cite: every http(s) URL, "www." URL and
// bare host with a path, with the damage that text processing does to URLs
// (line wraps, inserted hyphens, entities, invisible characters, defanging)
// repaired and each repair explained with a confidence and alternatives.
//
// It does no I/O apart from Walk, which lists files. Extraction is linear in
// the size of the text and stops when the context of ExtractDocumentContext
// is cancelled.
package sources
