package config

// LINKROT_* environment variables over the file.

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// applyEnv sets every key that has a LINKROT_* variable and reports the
// keys it set. Variable names are matched against the names derived from
// the key set, since keys themselves contain underscores.
func applyEnv(cfg *Config, getenv func(string) string, names []string, o origins, errs *errList) map[string]bool {
	fromEnv := map[string]bool{}
	if getenv == nil {
		return fromEnv
	}
	root := reflect.ValueOf(cfg).Elem()
	known := map[string]bool{EnvConfig: true}
	var knownNames []string
	for _, k := range leaves {
		name := EnvName(k.key)
		known[name] = true
		knownNames = append(knownNames, name)
		s := getenv(name)
		if s == "" {
			continue
		}
		o[k.key] = origin{env: name}
		fromEnv[k.key] = true
		v := root.FieldByIndex(k.index)
		var err error
		if v.Kind() == reflect.Slice {
			err = setList(v, s)
		} else {
			err = setScalar(v, s)
		}
		if err != nil {
			errs.add(&Error{Env: name, Key: k.key, Msg: err.Error()})
		}
	}
	names = slices.Clone(names)
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		if known[name] || !strings.HasPrefix(name, EnvPrefix) || strings.HasPrefix(name, EnvTestPrefix) || getenv(name) == "" {
			continue
		}
		msg := "not a linkrot setting"
		if s := suggest(name, knownNames); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else {
			msg += "; variables are " + EnvPrefix + " and a config key, e.g. LINKROT_CRAWLER_CONCURRENCY for crawler.concurrency"
		}
		errs.add(&Error{Env: name, Msg: msg})
	}
	return fromEnv
}

// setList sets a list from a comma-separated value; blanks around items and
// empty items are dropped, so "a, b," is [a b].
func setList(v reflect.Value, s string) error {
	out := reflect.MakeSlice(v.Type(), 0, strings.Count(s, ",")+1)
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		ev := reflect.New(v.Type().Elem()).Elem()
		if err := setScalar(ev, item); err != nil {
			return err
		}
		out = reflect.Append(out, ev)
	}
	v.Set(out)
	return nil
}
