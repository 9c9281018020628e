package config

// Decoding the YAML file: syntax errors with their line, and a walk of
// the node tree beside the Config struct so every problem names its key.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// parse decodes YAML data over cfg. A file that is not YAML at all is
// returned as one error; problems with individual keys go to errs so that
// the user sees them all at once.
func parse(name string, data []byte, cfg *Config, o origins, errs *errList) error {
	if line, bad := binaryAt(data); bad {
		return &Error{File: name, Line: line, Msg: "not a YAML text file (binary data or invalid UTF-8; a config must be UTF-8 text)"}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := decodeDoc(dec, &doc); {
	case errors.Is(err, io.EOF):
		return nil // empty or comments only: defaults
	case err != nil:
		return syntaxError(name, data, err)
	}
	var extra yaml.Node
	switch err := decodeDoc(dec, &extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return syntaxError(name, data, err)
	default:
		return &Error{File: name, Line: extra.Line, Msg: "a second YAML document (after ---); put all keys in one"}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	d := decoder{file: name, o: o, errs: errs}
	d.value(root, reflect.ValueOf(cfg).Elem(), "", 0)
	return nil
}

// decodeDoc guards against a panic inside the YAML library: Load promises
// an error, never a crash, on any input.
func decodeDoc(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: cannot parse this file (%v)", r)
		}
	}()
	return dec.Decode(n)
}

// binaryAt finds the first byte that cannot be in a YAML text file and
// returns its line. Checked up front so that garbage gets a plain message
// rather than whatever the YAML scanner trips over first.
func binaryAt(data []byte) (line int, bad bool) {
	line = 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1,
			r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r == 0x7f:
			return line, true
		case r == '\n':
			line++
		}
		i += size
	}
	return 0, false
}

// yaml.v3 reports syntax errors only as text ("yaml: line 3: …"); this is
// the one place its message is taken apart, to put the line where ours go.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(name string, data []byte, err error) error {
	msg := strings.Join(strings.Fields(err.Error()), " ") // one line
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line := 0
		fmt.Sscan(m[1], &line)
		return &Error{File: name, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: name, Line: firstFailingLine(data, err.Error()), Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// firstFailingLine finds a line for a YAML error that came without one
// (yaml.v3 omits line 1, and unknown-anchor errors have none): the shortest
// prefix of whole lines that fails with the same error. Binary search keeps
// this to a few parses even for a large file.
func firstFailingLine(data []byte, msg string) int {
	var ends []int // ends[i] is the offset just past line i+1
	for i, c := range data {
		if c == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(ends) == 0 || ends[len(ends)-1] != len(data) {
		ends = append(ends, len(data))
	}
	fails := func(n int) bool {
		dec := yaml.NewDecoder(bytes.NewReader(data[:ends[n-1]]))
		for range 2 { // parse stops at the second document
			var node yaml.Node
			if err := decodeDoc(dec, &node); err != nil {
				return err.Error() == msg
			}
		}
		return false
	}
	lo, hi := 1, len(ends)
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// decoder walks the YAML node tree alongside the Config struct. Walking the
// nodes (rather than yaml.Unmarshal into the struct) is what gives every
// error its dotted key and line, and unknown keys a suggestion.
type decoder struct {
	file string
	o    origins
	errs *errList
}

func (d *decoder) fail(n *yaml.Node, key, format string, args ...any) {
	d.errs.add(&Error{File: d.file, Line: n.Line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// maxAliasHops bounds alias chains; yaml.v3 already rejects cycles, this
// only makes sure a bug there cannot hang Load.
const maxAliasHops = 64

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < maxAliasHops; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// value decodes n into v, the value of key ("" for the whole file); line is
// where the key was written. A null value (key with nothing after it)
// keeps the default, as yaml.v3 does: commenting out every key of a section
// must not zero it.
func (d *decoder) value(n *yaml.Node, v reflect.Value, key string, line int) {
	at := n
	n = deref(n)
	if isNull(n) {
		return
	}
	if key != "" {
		d.o[key] = origin{file: d.file, line: line}
	}
	switch {
	case isSection(v.Type()):
		d.section(at, n, v, key)
	case v.Kind() == reflect.Slice:
		d.list(at, n, v, key)
	case n.Kind != yaml.ScalarNode:
		d.fail(at, key, "%s: expected a single value, got %s", key, describe(n))
	default:
		if err := setScalar(v, n.Value); err != nil {
			d.fail(at, key, "%s: %v", key, err)
		}
	}
}

func (d *decoder) section(at, n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.MappingNode {
		if key == "" {
			d.fail(at, "", "expected keys (key: value) at the top level, got %s", describe(n))
		} else {
			d.fail(at, key, "%s: expected a section of keys (key: value), got %s", key, describe(n))
		}
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := deref(n.Content[i]), n.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			d.fail(n.Content[i], key, "keys must be plain names, got %s", describe(kn))
			continue
		}
		full := kn.Value
		if key != "" {
			full = key + "." + kn.Value
		}
		if first, dup := seen[kn.Value]; dup {
			d.fail(kn, full, "duplicate key %s (first on line %d)", quote(full), first)
			continue
		}
		seen[kn.Value] = kn.Line
		idx, ok := fieldIndex(v.Type(), kn.Value)
		if !ok {
			msg := "unknown key " + quote(full)
			if s := suggest(full, allKeyNames()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			d.errs.add(&Error{File: d.file, Line: kn.Line, Key: full, Msg: msg})
			continue
		}
		d.value(vn, v.Field(idx), full, kn.Line)
	}
}

// list replaces the default list as a whole: a list in the file is the
// complete list, never merged with the defaults.
func (d *decoder) list(at, n *yaml.Node, v reflect.Value, key string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(at, key, "%s: expected a list ([a, b] or one \"- item\" per line), got %s", key, describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	ok := true
	for i, item := range n.Content {
		ik := fmt.Sprintf("%s[%d]", key, i)
		it := deref(item)
		if it.Kind != yaml.ScalarNode || isNull(it) {
			d.fail(item, ik, "%s: expected a single value, got %s", ik, describe(it))
			ok = false
			continue
		}
		ev := reflect.New(v.Type().Elem()).Elem()
		if err := setScalar(ev, it.Value); err != nil {
			d.fail(item, ik, "%s: %v", ik, err)
			ok = false
			continue
		}
		d.o[ik] = origin{file: d.file, line: item.Line}
		out = reflect.Append(out, ev)
	}
	if ok {
		v.Set(out)
	}
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a section (key: value)"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return "the value " + quote(n.Value)
	case yaml.AliasNode:
		return "an unresolved alias"
	}
	return "something else"
}
