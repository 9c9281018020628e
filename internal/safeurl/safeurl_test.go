package safeurl

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	good := []string{
		"http://example.org", "https://example.org/a?b=c&d#e", "HTTPS://Example.ORG/x",
		"https://web.archive.org/web/20200101000000/https://example.org/",
		"http://[::1]:8080/p", "https://xn--bcher-kva.example/ü",
	}
	for _, u := range good {
		if err := Check(u); err != nil {
			t.Errorf("Check(%q) = %v, want nil", u, err)
		}
	}
	bad := []string{
		"", "=cmd|' /C calc'!A0", "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>", "vbscript:msgbox", "file:///etc/passwd",
		"ftp://example.org/", "mailto:a@example.org", "http:example.org", "http://", "https:///path",
		"//example.org/x", "/relative", "relative/path", "https://example.org/\x00", "https://example.org/a\nb",
		"https://example.org/a b", "https://user:pw@example.org/", "https://bank@evil.example/",
		"http://exa mple.org", "https://example.org/\x1b[31m", "https://example.org/\u2028", "http://%zz/",
		"https://example.org/\xff", `http://"`, "http://a%22b/", "http://<x>/", "+1-555", "@SUM(A1)", "-2+3", "\t=1",
	}
	for _, u := range bad {
		err := Check(u)
		if err == nil {
			t.Errorf("Check(%q) = nil, want a refusal", u)
		} else if !errors.Is(err, ErrUnsafe) {
			t.Errorf("Check(%q) = %v, not ErrUnsafe", u, err)
		}
	}
}

func TestCheckLocal(t *testing.T) {
	for _, u := range []string{"/web/20240101000000/https://example.org/", "/link?url=x", "https://links.example.org/web/1/x"} {
		if err := CheckLocal(u); err != nil {
			t.Errorf("CheckLocal(%q) = %v", u, err)
		}
	}
	for _, u := range []string{"//evil.example/", `/\evil.example`, "javascript:alert(1)", "/a\nb", "web/x", "=1+1"} {
		if CheckLocal(u) == nil {
			t.Errorf("CheckLocal(%q) = nil, want a refusal", u)
		}
	}
}

func TestFilter(t *testing.T) {
	if got := Filter("javascript:alert(1)", "test"); got != "" {
		t.Errorf("Filter kept %q", got)
	}
	if got := Filter("https://example.org/", "test"); got != "https://example.org/" {
		t.Errorf("Filter dropped a good URL: %q", got)
	}
}

func TestSpreadsheetCell(t *testing.T) {
	cases := map[string]string{
		"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0", "+1": "'+1", "-1": "'-1", "@SUM(1)": "'@SUM(1)",
		"\t=1": "'\t=1", "\r=1": "'\r=1", "https://example.org/": "https://example.org/", "": "", "a=b": "a=b",
	}
	for in, want := range cases {
		if got := SpreadsheetCell(in); got != want {
			t.Errorf("SpreadsheetCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"https://example.org/", "javascript:alert(1)", "=cmd|' /C calc'!A0", "http://[::1]/", "/web/1/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Check(s) == nil {
			if CheckLocal(s) != nil {
				t.Fatalf("Check passes %q but CheckLocal does not", s)
			}
			if c := s[0]; c == '=' || c == '+' || c == '-' || c == '@' {
				t.Fatalf("Check passes %q, which starts a formula", s)
			}
		}
		if c := SpreadsheetCell(s); c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@' || c[0] == '\t' || c[0] == '\r') {
			t.Fatalf("SpreadsheetCell(%q) = %q starts a formula", s, c)
		}
	})
}
