package sources

import (
	"encoding/xml"
	"io"
	"strings"
)

// xmlNode is one step of a walk through an XML document: an element's start
// or end, or a run of text, with the raw span it came from.
type xmlNode struct {
	kind       xmlKind
	name       string   // lower-case local name of the element (of the enclosing one for text)
	path       []string // lower-case local names from the root down, the element included
	attrs      []xml.Attr
	start, end int    // raw span of the tag, or of the text (inside a CDATA section)
	value      string // text with entities decoded
}

type xmlKind int

const (
	xmlStart xmlKind = iota
	xmlEnd
	xmlText
)

// under reports whether one of the node's ancestors (or itself) is named one
// of names.
func (n *xmlNode) under(names ...string) bool {
	for _, p := range n.path {
		if contains(names, p) {
			return true
		}
	}
	return false
}

// attr returns the value of the attribute with the local name.
func (n *xmlNode) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value, true
		}
	}
	return "", false
}

// attrOccurrence makes an occurrence of the URL in the named attribute of a
// start tag.
func (n *xmlNode) attrOccurrence(text, name string) (Occurrence, bool) {
	tag := text[n.start:n.end]
	for _, a := range TagAttrs(tag) {
		if a.Name == name || strings.HasSuffix(a.Name, ":"+name) {
			return fieldOccurrence(text, n.start+a.Start, n.start+a.End, tag[a.Start:a.End])
		}
	}
	return Occurrence{}, false
}

// textOccurrence makes an occurrence of a URL that is an element's whole text.
func (n *xmlNode) textOccurrence(text string) (Occurrence, bool) {
	// The raw text still has its entities; CleanAttrURL decodes them.
	return fieldOccurrence(text, n.start, n.end, text[n.start:n.end])
}

// walkXML calls visit for each element start, end and text of the document,
// with HTML's named entities allowed (feeds use them). The error names the
// line of the first syntax error.
func walkXML(text string, visit func(n *xmlNode)) error {
	d := xml.NewDecoder(strings.NewReader(text))
	d.Entity = xml.HTMLEntity
	var n xmlNode
	for {
		start := int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			if len(n.path) > 0 {
				return xmlError(text, d, io.ErrUnexpectedEOF)
			}
			return nil
		}
		if err != nil {
			return xmlError(text, d, err)
		}
		end := int(d.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			n.path = append(n.path, name)
			n.kind, n.name, n.attrs, n.start, n.end, n.value = xmlStart, name, t.Attr, start, end, ""
			visit(&n)
		case xml.EndElement:
			n.kind, n.name, n.attrs, n.start, n.end, n.value = xmlEnd, strings.ToLower(t.Name.Local), nil, start, end, ""
			visit(&n)
			if len(n.path) > 0 {
				n.path = n.path[:len(n.path)-1]
			}
		case xml.CharData:
			if len(n.path) == 0 || strings.TrimSpace(string(t)) == "" {
				continue
			}
			if strings.HasPrefix(text[start:end], "<![CDATA[") && end-start >= 12 {
				start, end = start+len("<![CDATA["), end-len("]]>")
			}
			n.kind, n.name, n.attrs, n.start, n.end, n.value = xmlText, n.path[len(n.path)-1], nil, start, end, string(t)
			visit(&n)
		}
	}
}
