package fix

import (
	"sort"
	"strings"

	xhtml "golang.org/x/net/html"

	"github.com/linkrot/linkrot/sources"
)

// htmlIndex is the start tags of an HTML document with the byte spans of
// their attribute values, which is where reference attributes are.
type htmlIndex struct {
	tags []htmlTag // by start
}

type htmlTag struct {
	start, end int // the raw tag, "<" to ">"
	name       string
	attrs      []htmlAttr
}

type htmlAttr struct {
	name       string // lower case
	start, end int    // the raw value, quotes excluded
	quote      byte   // '"', '\'' or 0 when unquoted
}

// indexHTML tokenizes the document the way the extractor does (the same
// tokenizer, offsets summed from the raw tokens), so that spans agree.
func indexHTML(text string) *htmlIndex {
	idx := &htmlIndex{}
	z := xhtml.NewTokenizer(strings.NewReader(text))
	off := 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := z.Raw()
		start := off
		off += len(raw)
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		name, _ := z.TagName()
		t := htmlTag{start: start, end: off, name: strings.ToLower(string(name))}
		for _, a := range scanAttrs(string(raw)) {
			a.start += start
			a.end += start
			t.attrs = append(t.attrs, a)
		}
		idx.tags = append(idx.tags, t)
	}
	return idx
}

// tagAt returns the tag whose raw text contains offset off.
func (x *htmlIndex) tagAt(off int) (htmlTag, bool) {
	i := sort.Search(len(x.tags), func(i int) bool { return x.tags[i].start > off }) - 1
	if i >= 0 && off < x.tags[i].end {
		return x.tags[i], true
	}
	return htmlTag{}, false
}

// attrAt returns the attribute whose value spans exactly start..end.
func (t htmlTag) attrAt(start, end int) (htmlAttr, bool) {
	for _, a := range t.attrs {
		if a.start == start && a.end == end {
			return a, true
		}
	}
	return htmlAttr{}, false
}

func (t htmlTag) has(name string) bool {
	for _, a := range t.attrs {
		if a.name == name {
			return true
		}
	}
	return false
}

// scanAttrs lists the attributes of one raw start tag with the offsets of
// their values, by the extractor's own scanner so that spans agree.
func scanAttrs(tag string) []htmlAttr {
	var out []htmlAttr
	for _, a := range sources.TagAttrs(tag) {
		out = append(out, htmlAttr{name: a.Name, start: a.Start, end: a.End, quote: a.Quote})
	}
	return out
}

// mdIndex is what of a Markdown document's block structure matters to
// fix: fenced code, HTML blocks and front matter, where nothing is added.
type mdIndex struct {
	fences      [][2]int // [start, end) of fenced code blocks, fences included
	htmlBlocks  [][2]int // [start, end) of HTML blocks
	frontMatter int      // end of a leading front matter block; 0 if none
}

func indexMarkdown(text string) *mdIndex {
	m := &mdIndex{}
	if strings.HasPrefix(text, "---\n") || strings.HasPrefix(text, "---\r\n") {
		for off := strings.IndexByte(text, '\n') + 1; off < len(text); {
			end := strings.IndexByte(text[off:], '\n')
			next := len(text)
			if end >= 0 {
				next = off + end + 1
			}
			line := strings.TrimRight(text[off:next], "\r\n")
			if line == "---" || line == "..." {
				m.frontMatter = next
				break
			}
			off = next
		}
	}
	var (
		open      bool
		char      byte
		n, start  int
		blank     = true // the previous line was blank (or there was none)
		htmlStart = -1   // start of the HTML block being read
	)
	for off := m.frontMatter; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		next := len(text)
		if end >= 0 {
			next = off + end + 1
		}
		line := strings.TrimRight(text[off:next], "\r\n")
		t := strings.TrimLeft(line, " ")
		isBlank := strings.TrimSpace(line) == ""
		// An HTML block, roughly as CommonMark has it: a block that starts
		// with a tag and runs to the next blank line. Markdown inside is
		// not read, so "<copy>" there would be taken for a tag.
		switch {
		case open:
		case htmlStart >= 0 && isBlank:
			m.htmlBlocks = append(m.htmlBlocks, [2]int{htmlStart, off})
			htmlStart = -1
		case htmlStart < 0 && blank && len(line)-len(t) <= 3 && startsHTMLBlock(t):
			htmlStart = off
		}
		blank = isBlank
		if len(line)-len(t) <= 3 && len(t) >= 3 && (t[0] == '`' || t[0] == '~') {
			run := len(t) - len(strings.TrimLeft(t, t[:1]))
			switch {
			case !open && run >= 3 && (t[0] == '~' || !strings.Contains(t[run:], "`")):
				open, char, n, start = true, t[0], run, off
			case open && t[0] == char && run >= n && strings.TrimSpace(t[run:]) == "":
				open = false
				m.fences = append(m.fences, [2]int{start, next})
			}
		}
		off = next
	}
	if open {
		m.fences = append(m.fences, [2]int{start, len(text)})
	}
	if htmlStart >= 0 {
		m.htmlBlocks = append(m.htmlBlocks, [2]int{htmlStart, len(text)})
	}
	return m
}

// startsHTMLBlock reports whether a line (indentation removed) opens an
// HTML block: "<" then a tag name, "/", "!" or "?"; an autolink
// ("<https:…") does not.
func startsHTMLBlock(t string) bool {
	if len(t) < 2 || t[0] != '<' {
		return false
	}
	if c := t[1]; c == '/' || c == '!' || c == '?' {
		return true
	}
	i := 1
	for i < len(t) && (t[i] >= 'a' && t[i] <= 'z' || t[i] >= 'A' && t[i] <= 'Z' || i > 1 && (t[i] >= '0' && t[i] <= '9' || t[i] == '-')) {
		i++
	}
	return i > 1 && (i == len(t) || t[i] == ' ' || t[i] == '>' || t[i] == '/' || t[i] == '\t')
}

func (m *mdIndex) inFrontMatter(off int) bool { return off < m.frontMatter }

func (m *mdIndex) inHTMLBlock(off int) bool {
	for _, b := range m.htmlBlocks {
		if off >= b[0] && off < b[1] {
			return true
		}
	}
	return false
}

// inCode reports whether offset off is in a fenced code block or in a
// code span on its line (backtick runs matched by length, as CommonMark
// does; spans that run over lines are not followed).
func (m *mdIndex) inCode(text string, off int) bool {
	for _, f := range m.fences {
		if off >= f[0] && off < f[1] {
			return true
		}
	}
	ls := strings.LastIndexByte(text[:off], '\n') + 1
	openRun := 0
	for i := ls; i < off; {
		if text[i] == '\\' && openRun == 0 {
			i += 2
			continue
		}
		if text[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(text) && text[j] == '`' {
			j++
		}
		switch run := j - i; {
		case openRun == 0:
			openRun = run
		case run == openRun:
			openRun = 0
		}
		i = j
	}
	return openRun > 0 && strings.Contains(text[off:lineEnd(text, off)], strings.Repeat("`", openRun))
}

func lineEnd(text string, off int) int {
	if i := strings.IndexByte(text[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(text)
}
