package config

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// FuzzLoad feeds arbitrary bytes to everything Load does after reading the
// file. Seeds are in testdata/fuzz/FuzzLoad; run with
//
//	go test ./config -run '^$' -fuzz FuzzLoad -fuzztime 5m
func FuzzLoad(f *testing.F) {
	if data, err := os.ReadFile(rootConfig); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const base = "/nonexistent/linkrot"
		c, err := loadBytes("config.yaml", data, base, nil, nil)
		if err != nil {
			errs := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				errs = j.Unwrap()
			}
			for i, e := range errs {
				if _, ok := e.(*Error); !ok && !(i == maxErrors && strings.HasPrefix(e.Error(), "… and ")) {
					t.Fatalf("error %T is not a *config.Error: %v", e, e)
				}
				if strings.Contains(e.Error(), "\n") {
					t.Fatalf("error is not one line: %q", e)
				}
			}
			return
		}
		// Whatever loads must print and load back unchanged.
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := loadBytes("config.yaml", out, base, nil, nil)
		if err != nil {
			t.Fatalf("reloading the marshalled config: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("marshal round trip changed the config:\n%s", out)
		}
	})
}
