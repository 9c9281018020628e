package config

import (
	"net/url"
	"strings"
	"testing"
)

func TestExcluder(t *testing.T) {
	x, err := Exclude{
		Patterns: []string{`^https?://localhost[:/]`, `\.internal/`},
		Schemes:  []string{"mailto", "JavaScript:"},
		Hosts:    []string{"Example.com.", "10.0.0.1", "[::1]"},
	}.Compile()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url    string
		reason string // "" = not excluded
	}{
		{"mailto:a@b.c", "scheme mailto"},
		{"JAVASCRIPT:void(0)", "scheme javascript"},
		{"https://example.com/x", "host example.com"},
		{"https://www.Example.com./x", "host example.com"},
		{"https://notexample.com/x", ""},
		{"https://example.com.evil.org/", ""},
		{"http://10.0.0.1:8080/", "host 10.0.0.1"},
		{"http://10.0.0.2/", ""},
		{"http://[::1]/", "host ::1"},
		{"http://localhost:3000/", "pattern ^https?://localhost[:/]"},
		{"https://wiki.internal/page", "pattern \\.internal/"},
		{"https://a.org/?next=http://localhost/", ""},
		{"https://a.org/", ""},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		reason, ok := x.Match(u)
		if ok != (tt.reason != "") || reason != tt.reason {
			t.Errorf("Match(%s) = %q, %v; want %q", tt.url, reason, ok, tt.reason)
		}
	}
}

func TestExcludeCompileErrors(t *testing.T) {
	_, err := Exclude{Patterns: []string{"("}, Schemes: []string{"1x"}, Hosts: []string{"a..b"}}.Compile()
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"exclude.patterns[0]", "exclude.schemes[0]", "exclude.hosts[0]"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%v lacks %s", err, w)
		}
	}
}

func TestDefaultExcludes(t *testing.T) {
	x, err := Default().Exclude.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"mailto:x@y.z", "tel:+123", "javascript:alert(1)", "data:text/plain,hi", "file:///etc/passwd", "ftp://ftp.example.com/"} {
		u, _ := url.Parse(s)
		if _, ok := x.Match(u); !ok {
			t.Errorf("%s not excluded by default", s)
		}
	}
	u, _ := url.Parse("https://example.com/")
	if _, ok := x.Match(u); ok {
		t.Error("https excluded by default")
	}
}

func TestParseResolve(t *testing.T) {
	good := map[string]Resolve{}
	for _, s := range []string{"example.com:443:127.0.0.1", "EXAMPLE.com.:80:[::1]", "*:443:192.0.2.1", "x:1:::1"} {
		r, err := ParseResolve(s)
		if err != nil {
			t.Errorf("ParseResolve(%q): %v", s, err)
		}
		good[s] = r
	}
	if r := good["EXAMPLE.com.:80:[::1]"]; r.Host != "example.com" || r.Port != 80 || r.Addr.String() != "::1" {
		t.Errorf("got %+v", r)
	}
	for _, s := range []string{"", "example.com", "example.com:443", ":443:127.0.0.1", "a:b:127.0.0.1", "a:70000:127.0.0.1", "a:443:", "a:443:host", "http://a:443:1.2.3.4"} {
		if r, err := ParseResolve(s); err == nil {
			t.Errorf("ParseResolve(%q) = %+v, want an error", s, r)
		}
	}
}
