package sources

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Pinboard's JSON export is an array of objects with href, description (the
// title), extended, time (RFC 3339), tags and a few flags.
func readPinboard(text string, doc *Document, _ Options) error {
	return structuredDone(text, doc, "Pinboard JSON export", pinboardItems(text, doc))
}

func pinboardItems(text string, doc *Document) error {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return jsonError(text, d, err)
	}
	if tok != json.Delim('[') {
		return errors.New("want a JSON array of bookmarks")
	}
	for d.More() {
		at := int(d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			return jsonError(text, d, err)
		}
		if tok != json.Delim('{') {
			return fmt.Errorf("line %d: want a bookmark object, found %v", lineOf(text, at), tok)
		}
		var o Occurrence
		ok := false
		var title, date string
		for d.More() {
			key, err := d.Token()
			if err != nil {
				return jsonError(text, d, err)
			}
			before := int(d.InputOffset())
			val, err := d.Token()
			if err != nil {
				return jsonError(text, d, err)
			}
			if _, isDelim := val.(json.Delim); isDelim {
				if err := skipJSON(d); err != nil {
					return jsonError(text, d, err)
				}
				continue
			}
			s, isString := val.(string)
			if !isString {
				continue
			}
			switch key {
			case "href":
				q := before + strings.IndexByte(text[before:], '"')
				end := int(d.InputOffset()) - 1
				o, ok = fieldOccurrence(text, q+1, max(q+1, end), s)
			case "description":
				title = collapseSpace(s)
			case "time":
				date = findDate(s)
			}
		}
		if _, err := d.Token(); err != nil { // the closing brace
			return jsonError(text, d, err)
		}
		if ok {
			o.Title, o.Date = title, date
			doc.Occurrences = append(doc.Occurrences, o)
		}
	}
	if _, err := d.Token(); err != nil {
		return jsonError(text, d, err)
	}
	return nil
}

// skipJSON reads past the rest of an object or array just opened.
func skipJSON(d *json.Decoder) error {
	depth := 1
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func jsonError(text string, d *json.Decoder, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("JSON syntax error on line %d: %v", lineOf(text, int(se.Offset)), err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("JSON ends early, on line %d", lineOf(text, int(d.InputOffset())))
	}
	return fmt.Errorf("JSON error on line %d: %v", lineOf(text, int(d.InputOffset())), err)
}
