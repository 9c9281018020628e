package pubarchive

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// LinkEntry is one link of an HTTP Link header (RFC 8288) or of an
// application/link-format document (RFC 6690), such as a Memento TimeMap.
type LinkEntry struct {
	URL string // the target, as written between < and >; TimeGate and TimeMap resolve it
	// Rels are the relation types of the rel parameter, one per word:
	// rel="first memento" gives ["first", "memento"]. Registered types are
	// lower-cased (they compare case-insensitively); extension types, which
	// are URIs, are kept as written.
	Rels []string
	// Datetime is the datetime parameter (RFC 7089), zero when absent.
	Datetime time.Time
	// Params holds every parameter by lower-case name, rel and datetime
	// included, with quotes and escapes removed. When a name repeats, the
	// first value wins, as RFC 8288 §3.3 requires for rel. A parameter
	// without a value ("; crossorigin") maps to "".
	Params map[string]string
}

// Has reports whether the entry has every relation type named in rel, a
// single type ("memento") or several separated by spaces ("first memento").
// The comparison ignores case.
func (e LinkEntry) Has(rel string) bool {
	words := strings.Fields(rel)
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		found := false
		for _, r := range e.Rels {
			if strings.EqualFold(r, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// ParseLinkFormat parses a Link header value or a link-format document:
//
//	<uri>; rel="first memento"; datetime="Fri, 01 Jan 2010 00:00:00 GMT",
//	<uri>; rel=memento; type="text/html"
//
// It accepts quoted and unquoted values, several rel words in one value,
// any extra parameters, commas and semicolons inside quoted values and
// inside <…>, empty list elements, and spaces, tabs and line breaks around
// every separator, because archives differ in all of these. A syntax error
// or a datetime that is not an HTTP date is an error naming its byte offset;
// the entries before it are returned with it, so a caller may still use
// them.
func ParseLinkFormat(s string) ([]LinkEntry, error) {
	var out []LinkEntry
	err := parseLinks(strings.NewReader(s), func(e LinkEntry) bool {
		out = append(out, e)
		return true
	})
	return out, err
}

// parseLinks reads entries from r and hands each to emit as soon as it is
// complete, so a TimeMap of many megabytes is never held in memory and
// reading stops as soon as emit returns false. Read errors other than
// io.EOF are returned as they are, so a caller can recognise its own size
// limit.
func parseLinks(r io.Reader, emit func(LinkEntry) bool) error {
	p := &linkParser{r: bufio.NewReader(r)}
	for {
		e, ok, err := p.entry()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if !emit(e) {
			return nil
		}
	}
}

// linkParser is a byte-at-a-time reader with one byte of lookahead and a
// count of the bytes consumed, for error messages.
type linkParser struct {
	r   *bufio.Reader
	off int64
}

// errLinkEOF marks the end of input inside the parser; it never escapes.
var errLinkEOF = errors.New("end of input")

func (p *linkParser) next() (byte, error) {
	c, err := p.r.ReadByte()
	if err != nil {
		if err == io.EOF {
			return 0, errLinkEOF
		}
		return 0, err
	}
	p.off++
	return c, nil
}

func (p *linkParser) back() {
	// Only ever called right after a successful next, so it cannot fail.
	_ = p.r.UnreadByte()
	p.off--
}

// peek returns the next byte without consuming it.
func (p *linkParser) peek() (byte, error) {
	c, err := p.next()
	if err == nil {
		p.back()
	}
	return c, err
}

// syntaxErr describes a problem at the current offset. Bytes are shown with
// %q so that control characters and invalid UTF-8 stay readable.
func (p *linkParser) syntaxErr(format string, args ...any) error {
	return fmt.Errorf("link-format: byte %d: %s", p.off, fmt.Sprintf(format, args...))
}

func isLinkSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipSpace consumes whitespace; line breaks are allowed anywhere between
// tokens because TimeMaps put one entry per line and headers get folded.
func (p *linkParser) skipSpace() error {
	for {
		c, err := p.next()
		if err != nil {
			return err
		}
		if !isLinkSpace(c) {
			p.back()
			return nil
		}
	}
}

// entry reads one link-value. ok is false at the clean end of input.
func (p *linkParser) entry() (e LinkEntry, ok bool, err error) {
	// Empty list elements (",,") are allowed by the #rule of RFC 9110 §5.6.1.
	for {
		if err := p.skipSpace(); err != nil {
			return e, false, eofIsEnd(err)
		}
		c, _ := p.next()
		if c == ',' {
			continue
		}
		if c != '<' {
			p.back()
			return e, false, p.syntaxErr("expected \"<\" to start a link, found %q", p.context())
		}
		break
	}
	uri, err := p.until('>')
	if err == errLinkEOF {
		return e, false, p.syntaxErr("unterminated <…>: no \">\" after %q", clipMsg(uri))
	} else if err != nil {
		return e, false, err
	}
	e.URL = strings.TrimSpace(uri)

	for {
		if err := p.skipSpace(); err == errLinkEOF {
			return p.finish(e)
		} else if err != nil {
			return e, false, err
		}
		c, _ := p.next()
		if c == ',' {
			return p.finish(e)
		}
		if c != ';' {
			p.back()
			return e, false, p.syntaxErr("after <%s>: expected \";\" or \",\", found %q", clipMsg(e.URL), p.context())
		}
		if err := p.param(&e); err != nil {
			return e, false, err
		}
	}
}

// param reads "name", "name=token" or "name=\"quoted\"" after a ";".
func (p *linkParser) param(e *LinkEntry) error {
	if err := p.skipSpace(); err == errLinkEOF {
		return nil // a trailing ";" is harmless
	} else if err != nil {
		return err
	}
	c, _ := p.peek()
	if c == ';' || c == ',' {
		return nil // empty parameter: ";;"
	}
	var name strings.Builder
	for {
		c, err := p.next()
		if err == errLinkEOF {
			break
		} else if err != nil {
			return err
		}
		if !isTokenChar(c) {
			p.back()
			break
		}
		name.WriteByte(c)
	}
	if name.Len() == 0 {
		return p.syntaxErr("in <%s>: expected a parameter name, found %q", clipMsg(e.URL), p.context())
	}
	key := strings.ToLower(name.String())

	value := ""
	if err := p.skipSpace(); err != nil && err != errLinkEOF {
		return err
	}
	if c, err := p.peek(); err == nil && c == '=' {
		p.next()
		if err := p.skipSpace(); err == errLinkEOF {
			return p.syntaxErr("in <%s>: parameter %s has no value", clipMsg(e.URL), key)
		} else if err != nil {
			return err
		}
		c, _ := p.next()
		if c == '"' {
			v, err := p.quoted()
			if err == errLinkEOF {
				return p.syntaxErr("in <%s>: unterminated quoted value of %s: %q", clipMsg(e.URL), key, clipMsg(v))
			} else if err != nil {
				return err
			}
			value = v
		} else {
			p.back()
			v, err := p.bare()
			if err != nil {
				return err
			}
			if v == "" {
				return p.syntaxErr("in <%s>: parameter %s has no value", clipMsg(e.URL), key)
			}
			value = v
		}
	} else if err != nil && err != errLinkEOF {
		return err
	}
	if e.Params == nil {
		e.Params = make(map[string]string)
	}
	if _, dup := e.Params[key]; !dup {
		e.Params[key] = value
	}
	return nil
}

// finish derives Rels and Datetime from the parameters.
func (p *linkParser) finish(e LinkEntry) (LinkEntry, bool, error) {
	if rel, ok := e.Params["rel"]; ok {
		for _, w := range strings.Fields(rel) {
			if !strings.Contains(w, ":") {
				w = strings.ToLower(w)
			}
			e.Rels = append(e.Rels, w)
		}
	}
	if dt, ok := e.Params["datetime"]; ok {
		t, err := parseHTTPDate(dt)
		if err != nil {
			return e, false, p.syntaxErr("in <%s>: datetime %q is not an HTTP date like %q",
				clipMsg(e.URL), clipMsg(dt), "Sun, 26 Jan 2014 20:08:04 GMT")
		}
		e.Datetime = t
	}
	return e, true, nil
}

// parseHTTPDate reads an RFC 1123 date as Memento requires, and the other
// forms HTTP allows. A numeric zone ("+0000") is accepted too: some
// archives write one although the RFC says GMT.
func parseHTTPDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC1123Z, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// until reads up to and including delim and returns what came before it.
func (p *linkParser) until(delim byte) (string, error) {
	var b strings.Builder
	for {
		c, err := p.next()
		if err != nil {
			return b.String(), err
		}
		if c == delim {
			return b.String(), nil
		}
		b.WriteByte(c)
	}
}

// quoted reads the rest of a quoted-string whose opening quote is consumed;
// a backslash escapes the next byte (RFC 9110 quoted-pair).
func (p *linkParser) quoted() (string, error) {
	var b strings.Builder
	for {
		c, err := p.next()
		if err != nil {
			return b.String(), err
		}
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			c, err = p.next()
			if err != nil {
				return b.String(), err
			}
		}
		b.WriteByte(c)
	}
}

// bare reads an unquoted value. It is more liberal than RFC 8288's token:
// archives write values such as rel=memento and type=application/link-format
// and "/" is not a token character, so everything up to whitespace, ";" or
// "," is taken.
func (p *linkParser) bare() (string, error) {
	var b strings.Builder
	for {
		c, err := p.next()
		if err == errLinkEOF {
			return b.String(), nil
		} else if err != nil {
			return b.String(), err
		}
		if isLinkSpace(c) || c == ';' || c == ',' {
			p.back()
			return b.String(), nil
		}
		if c == '"' {
			return "", p.syntaxErr("quote inside an unquoted value %q", clipMsg(b.String()+"\""))
		}
		b.WriteByte(c)
	}
}

// context returns up to 20 bytes from the current position, for errors,
// without consuming them.
func (p *linkParser) context() string {
	b, _ := p.r.Peek(20)
	if len(b) == 0 {
		return "end of input"
	}
	return string(b)
}

func eofIsEnd(err error) error {
	if err == errLinkEOF {
		return nil
	}
	return err
}

// isTokenChar is RFC 9110's tchar, plus nothing else: parameter names are
// always tokens ("title*" ends in the allowed "*").
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// clipMsg shortens s for an error message.
func clipMsg(s string) string {
	const max = 80
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
