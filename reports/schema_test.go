package reports_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/reports"
)

// A validator for the part of JSON Schema (draft 2020-12) that
// docs/report-schema.json uses, so the published schema is tested against
// what Render produces without a dependency. A keyword it does not know is
// an error, not ignored: the schema cannot quietly grow rules that nothing
// checks.

// schemaPath is the published schema, from this package's directory.
var schemaPath = filepath.Join("..", "docs", "report-schema.json")

// annotations carry no rule.
var annotations = []string{"$schema", "$id", "title", "description", "$comment", "$defs"}

// keywords are the rules the validator applies.
var keywords = []string{"$ref", "type", "enum", "const", "required", "properties", "additionalProperties",
	"items", "minimum", "format", "anyOf"}

type validator struct {
	defs map[string]any
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	return s
}

// checkSchema walks every subschema and reports keywords the validator
// does not implement, and $refs that lead nowhere.
func checkSchema(root map[string]any) []error {
	defs, _ := root["$defs"].(map[string]any)
	var errs []error
	var walk func(path string, s any)
	walk = func(path string, s any) {
		m, ok := s.(map[string]any)
		if !ok {
			if _, isBool := s.(bool); !isBool {
				errs = append(errs, fmt.Errorf("%s: a schema must be an object or a boolean", path))
			}
			return
		}
		for k, v := range m {
			switch {
			case k == "$defs":
				for name, d := range v.(map[string]any) {
					walk(path+"/$defs/"+name, d)
				}
			case k == "properties":
				for name, p := range v.(map[string]any) {
					walk(path+"/properties/"+name, p)
				}
			case k == "items" || k == "additionalProperties":
				walk(path+"/"+k, v)
			case k == "anyOf":
				for i, sub := range v.([]any) {
					walk(fmt.Sprintf("%s/anyOf/%d", path, i), sub)
				}
			case k == "$ref":
				name, ok := strings.CutPrefix(v.(string), "#/$defs/")
				if _, found := defs[name]; !ok || !found {
					errs = append(errs, fmt.Errorf("%s: $ref %q leads nowhere", path, v))
				}
			case k == "format" && v != "date-time":
				errs = append(errs, fmt.Errorf("%s: format %q is not checked", path, v))
			case !slices.Contains(annotations, k) && !slices.Contains(keywords, k):
				errs = append(errs, fmt.Errorf("%s: keyword %q is not supported", path, k))
			}
		}
	}
	walk("#", root)
	return errs
}

// validate checks doc (decoded with UseNumber) against schema s.
func (v *validator) validate(path string, s any, doc any) []error {
	if b, ok := s.(bool); ok {
		if !b {
			return []error{fmt.Errorf("%s: not allowed", path)}
		}
		return nil
	}
	m := s.(map[string]any)
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if ref, ok := m["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		errs = append(errs, v.validate(path, v.defs[name], doc)...)
	}
	if t, ok := m["type"]; ok {
		var types []string
		switch t := t.(type) {
		case string:
			types = []string{t}
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(t string) bool { return hasType(doc, t) }) {
			fail("%s is not of type %v", brief(doc), types)
			return errs // the other rules assume the type
		}
	}
	if e, ok := m["enum"].([]any); ok && !slices.ContainsFunc(e, func(x any) bool { return jsonEqual(x, doc) }) {
		fail("%s is not one of %v", brief(doc), e)
	}
	if c, ok := m["const"]; ok && !jsonEqual(c, doc) {
		fail("%s is not %v", brief(doc), c)
	}
	if min, ok := m["minimum"].(float64); ok {
		if n, isNum := doc.(json.Number); isNum {
			if f, _ := n.Float64(); f < min {
				fail("%s is below the minimum %v", n, min)
			}
		}
	}
	if f, ok := m["format"].(string); ok && f == "date-time" {
		if s, isStr := doc.(string); isStr {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				fail("%q is not an RFC 3339 date-time", s)
			}
		}
	}
	if any, ok := m["anyOf"].([]any); ok {
		matched := false
		for _, sub := range any {
			if len(v.validate(path, sub, doc)) == 0 {
				matched = true
				break
			}
		}
		if !matched {
			fail("%s matches none of anyOf", brief(doc))
		}
	}
	if obj, ok := doc.(map[string]any); ok {
		props, _ := m["properties"].(map[string]any)
		if req, ok := m["required"].([]any); ok {
			for _, r := range req {
				if _, present := obj[r.(string)]; !present {
					fail("required field %q is missing", r)
				}
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k]; ok {
				errs = append(errs, v.validate(path+"/"+k, p, obj[k])...)
			} else if ap, ok := m["additionalProperties"]; ok {
				if b, isBool := ap.(bool); isBool && !b {
					fail("field %q is not in the schema", k)
				} else {
					errs = append(errs, v.validate(path+"/"+k, ap, obj[k])...)
				}
			}
		}
	}
	if arr, ok := doc.([]any); ok {
		if items, ok := m["items"]; ok {
			for i, x := range arr {
				errs = append(errs, v.validate(fmt.Sprintf("%s/%d", path, i), items, x)...)
			}
		}
	}
	return errs
}

func hasType(doc any, t string) bool {
	switch t {
	case "object":
		_, ok := doc.(map[string]any)
		return ok
	case "array":
		_, ok := doc.([]any)
		return ok
	case "string":
		_, ok := doc.(string)
		return ok
	case "boolean":
		_, ok := doc.(bool)
		return ok
	case "null":
		return doc == nil
	case "number":
		_, ok := doc.(json.Number)
		return ok
	case "integer":
		n, ok := doc.(json.Number)
		if !ok {
			return false
		}
		f, err := n.Float64()
		return err == nil && f == math.Trunc(f)
	}
	return false
}

// jsonEqual compares a schema value (decoded plainly) with a document
// value (decoded with UseNumber).
func jsonEqual(schemaVal, doc any) bool {
	if n, ok := doc.(json.Number); ok {
		f, _ := n.Float64()
		sf, isNum := schemaVal.(float64)
		return isNum && sf == f
	}
	return reflect.DeepEqual(schemaVal, doc)
}

func brief(doc any) string {
	b, _ := json.Marshal(doc)
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

// schemaErrors validates a JSON document against the published schema.
func schemaErrors(t *testing.T, data []byte) []error {
	t.Helper()
	schema := loadSchema(t)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("report JSON does not parse: %v", err)
	}
	defs, _ := schema["$defs"].(map[string]any)
	return (&validator{defs: defs}).validate("#", schema, doc)
}

// validateJSON fails the test if data does not validate.
func validateJSON(t *testing.T, data []byte) {
	t.Helper()
	for _, err := range schemaErrors(t, data) {
		t.Error(err)
	}
}

func TestSchemaUsesOnlyCheckedKeywords(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	for _, err := range checkSchema(s) {
		t.Error(err)
	}
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", s["$schema"])
	}
	props := s["properties"].(map[string]any)
	if props["schema"].(map[string]any)["const"] != reports.Schema {
		t.Errorf("the schema's version is not %s", reports.Schema)
	}
}

// The validator must catch what it claims to, or a passing test means
// nothing.
func TestValidatorCatchesMistakes(t *testing.T) {
	t.Parallel()
	var good bytes.Buffer
	if err := reports.Render(&good, "json", fullReport()); err != nil {
		t.Fatal(err)
	}
	if errs := schemaErrors(t, good.Bytes()); len(errs) > 0 {
		t.Fatalf("the full sample report does not validate: %v", errs)
	}
	for name, edit := range map[string]func(m map[string]any){
		"missing field":    func(m map[string]any) { delete(m, "hosts") },
		"unknown field":    func(m map[string]any) { m["extra"] = 1 },
		"wrong version":    func(m map[string]any) { m["schema"] = "linkrot.report/v2" },
		"bad state":        func(m map[string]any) { entry(m)["state"] = "zombie" },
		"bad time":         func(m map[string]any) { m["generated_at"] = "yesterday" },
		"string for int":   func(m map[string]any) { entry(m)["failures"] = "3" },
		"fraction for int": func(m map[string]any) { entry(m)["failures"] = 1.5 },
		"negative count":   func(m map[string]any) { entry(m)["status"] = -1 },
		"null list":        func(m map[string]any) { m["repaired"] = nil },
		"nested unknown":   func(m map[string]any) { entry(m)["snapshot"].(map[string]any)["path"] = "x" },
		"bad count map":    func(m map[string]any) { m["summary"].(map[string]any)["by_class"].(map[string]any)["ok"] = "many" },
		"bad role":         func(m map[string]any) { entry(m)["occurrences"].([]any)[0].(map[string]any)["role"] = "quoted" },
	} {
		var m map[string]any
		if err := json.Unmarshal(good.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		if errs := schemaErrors(t, b); len(errs) == 0 {
			t.Errorf("%s: the validator accepted it", name)
		}
	}
}

func entry(m map[string]any) map[string]any {
	return m["newly_dead"].([]any)[0].(map[string]any)
}
