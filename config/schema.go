package config

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// keyInfo is one key of Config, found by reflection over the yaml tags so
// that the key set cannot drift from the struct.
type keyInfo struct {
	key     string // dotted: "crawler.per_host_interval"
	index   []int  // for reflect.Value.FieldByIndex on a Config
	section bool   // a nested struct, not a value
}

// schema lists every key of Config, sections before their keys, in struct
// order; leaves are the keys that hold values.
var schema, leaves = buildSchema()

func buildSchema() (all, leaf []keyInfo) {
	var walk func(t reflect.Type, prefix string, index []int)
	walk = func(t reflect.Type, prefix string, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := yamlName(f)
			if name == "" {
				continue
			}
			k := keyInfo{key: prefix + name, index: append(append([]int{}, index...), i)}
			if isSection(f.Type) {
				k.section = true
				all = append(all, k)
				walk(f.Type, k.key+".", k.index)
				continue
			}
			all = append(all, k)
			leaf = append(leaf, k)
		}
	}
	walk(reflect.TypeFor[Config](), "", nil)
	return all, leaf
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// isSection reports whether values of t are nested key sections rather than
// single values. Duration and ByteSize are values even though they could be
// structs one day, because they unmarshal from text.
func isSection(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return false
	}
	return t.Kind() == reflect.Struct
}

var textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()

// fieldIndex finds the field of struct type t whose yaml name is name.
func fieldIndex(t reflect.Type, name string) (int, bool) {
	for i := 0; i < t.NumField(); i++ {
		if n := yamlName(t.Field(i)); n != "" && n == name {
			return i, true
		}
	}
	return 0, false
}

// Keys returns every leaf key of Config in dotted form, in struct order.
func Keys() []string {
	out := make([]string, len(leaves))
	for i, k := range leaves {
		out[i] = k.key
	}
	return out
}

func allKeyNames() []string {
	out := make([]string, len(schema))
	for i, k := range schema {
		out[i] = k.key
	}
	return out
}

// EnvName is the environment variable that overrides key:
// "crawler.per_host" → "LINKROT_CRAWLER_PER_HOST".
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// setScalar parses s into v by v's type; the same rules serve YAML values
// and environment variables, so both accept exactly the same spellings.
func setScalar(v reflect.Value, s string) error {
	if v.CanAddr() {
		if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
			return u.UnmarshalText([]byte(s))
		}
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, ok := parseBool(s)
		if !ok {
			return fmt.Errorf("%s is not true or false", quote(s))
		}
		v.SetBool(b)
	case reflect.Int:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, strconv.IntSize)
		if err != nil {
			return fmt.Errorf("%s is not a whole number", quote(s))
		}
		v.SetInt(n)
	case reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s is not a number", quote(s))
		}
		v.SetFloat(f)
	default:
		// Only reachable if a field of a new type is added to Config;
		// TestEveryLeafTypeDecodes catches it.
		return fmt.Errorf("cannot set a %s", v.Type())
	}
	return nil
}

// parseBool accepts YAML 1.1's spellings too: people write "yes" and "on",
// and in an environment variable "1" is common.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}
