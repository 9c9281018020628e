package oneshot

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckURL: a command-line URL is either refused with an error or is
// an absolute http(s) URL with a host.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.org/a?b#c", "http://[::1]:80/", "ftp://x/", "https:///p", "http://%zz/", "https://exa mple.org", " http://x.test "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := checkURL(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "bad URL") {
				t.Errorf("%q: error %q does not say bad URL", raw, err)
			}
			return
		}
		p, perr := url.Parse(u)
		if perr != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Hostname() == "" {
			t.Errorf("%q accepted as %q (%v)", raw, u, perr)
		}
	})
}

func TestExpandHome(t *testing.T) {
	t.Setenv("HOME", "/home/someone")
	for in, want := range map[string]string{"~/notes/*.md": "/home/someone/notes/*.md", "~": "/home/someone", "~other/x": "~other/x", "a/~/b": "a/~/b"} {
		if got := expandHome(in); got != want {
			t.Errorf("expandHome(%q) = %q, want %q", in, got, want)
		}
	}
}
