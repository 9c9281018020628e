package sources

import (
	"strings"
)

// extractPlain handles plain text: the title is the first line, the date the
// first dateline near the top.
func extractPlain(text string, doc *Document, opts Options) {
	doc.Title = firstLineTitle(text)
	doc.Date = findDate(headOf(text, headerLines))
	ev := evidenceFor(doc.Title, doc.Date, opts)
	doc.Occurrences = ExtractText(text, ev)
	markSource(text, doc.Occurrences)
}

// extractMarkdown handles Markdown: front matter first, then the first
// heading, then the first line.
func extractMarkdown(text string, doc *Document, opts Options) {
	fm, body := frontMatter(text)
	doc.Title = unquote(fm["title"])
	if doc.Title == "" {
		doc.Title = markdownHeading(body)
	}
	if doc.Title == "" {
		doc.Title = firstLineTitle(body)
	}
	for _, key := range []string{"date", "published", "pubdate", "created"} {
		if doc.Date = findDate(unquote(fm[key])); doc.Date != "" {
			break
		}
	}
	if doc.Date == "" {
		doc.Date = findDate(headOf(body, headerLines))
	}
	ev := evidenceFor(doc.Title, doc.Date, opts)
	doc.Occurrences = ExtractText(text, ev)
	markSource(text, doc.Occurrences)
	markCode(doc.Occurrences, markdownCode(text))
}

// frontMatter splits a leading YAML block delimited by "---" lines into its
// top-level scalar keys and the rest of the text. Only flat "key: value"
// lines are read: that is all the metadata we need, and a malformed block
// must not stop extraction.
func frontMatter(text string) (map[string]string, string) {
	t := strings.TrimPrefix(text, "\ufeff")
	if !strings.HasPrefix(t, "---\n") && !strings.HasPrefix(t, "---\r\n") {
		return nil, text
	}
	rest := t[strings.IndexByte(t, '\n')+1:]
	fm := map[string]string{}
	for off := 0; off < len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		if end < 0 {
			end = len(rest) - off
		}
		line := strings.TrimRight(rest[off:off+end], "\r")
		next := off + end + 1
		if line == "---" || line == "..." {
			if next > len(rest) {
				next = len(rest)
			}
			return fm, rest[next:]
		}
		if k, v, ok := strings.Cut(line, ":"); ok && k != "" && !strings.HasPrefix(k, " ") && !strings.HasPrefix(k, "#") {
			fm[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
		off = next
	}
	return nil, text // no closing line: not front matter after all
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

// markdownHeading returns the first ATX ("# Title") or setext heading.
func markdownHeading(text string) string {
	lines := strings.Split(headOf(text, headerLines), "\n")
	for i, line := range lines {
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(line, "#") {
			h := strings.TrimLeft(line, "#")
			if h == "" || h[0] == ' ' || h[0] == '\t' {
				return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(h), "#"))
			}
		}
		if i+1 < len(lines) && strings.TrimSpace(line) != "" {
			under := strings.TrimSpace(lines[i+1])
			if len(under) >= 3 && (strings.Trim(under, "=") == "" || strings.Trim(under, "-") == "") {
				return strings.TrimSpace(line)
			}
		}
	}
	return ""
}
