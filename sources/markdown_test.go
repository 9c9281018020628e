package sources

import (
	"slices"
	"testing"
)

// TestMarkdownLinksAndCode checks Markdown's own forms (autolinks with
// single-label hosts, reference definitions, inline links with titles) and
// that URLs in code spans and fenced blocks get role code.
func TestMarkdownLinksAndCode(t *testing.T) {
	type found struct {
		url  string
		role Role
	}
	cases := []struct {
		name, md string
		want     []found
	}{
		{"autolink single label", "Wiki: <http://intranet/wiki/Start>.\n", []found{{"http://intranet/wiki/Start", RoleCited}}},
		{"autolink localhost", "Run <http://localhost:8080> locally.\n", []found{{"http://localhost:8080", RoleCited}}},
		{"reference definition", "See [the spec][rfc].\n\n[rfc]: https://www.rfc-editor.org/rfc/rfc3986 \"RFC 3986\"\n", []found{{"https://www.rfc-editor.org/rfc/rfc3986", RoleCited}}},
		{"inline with title", "[Go](https://go.dev/doc/ \"Go docs\") is nice.\n", []found{{"https://go.dev/doc/", RoleCited}}},
		{"code span", "Call `curl https://api.example.com/v1/items` to list, or read https://docs.example.com/api.\n",
			[]found{{"https://api.example.com/v1/items", RoleCode}, {"https://docs.example.com/api", RoleCited}}},
		{"double backtick span", "Use ``x = `https://a.example.org/q` `` then https://b.example.org/r\n",
			[]found{{"https://a.example.org/q", RoleCode}, {"https://b.example.org/r", RoleCited}}},
		{"span across lines", "The call `fetch(\nhttps://api.example.com/x)` works; see https://docs.example.com/y\n",
			[]found{{"https://api.example.com/x", RoleCode}, {"https://docs.example.com/y", RoleCited}}},
		{"fence", "Intro https://intro.example.org/a\n\n```sh\ncurl https://api.example.com/v2/health\n```\n\nAfter https://after.example.org/b\n",
			[]found{{"https://intro.example.org/a", RoleCited}, {"https://api.example.com/v2/health", RoleCode}, {"https://after.example.org/b", RoleCited}}},
		{"tilde fence", "~~~\nhttps://code.example.org/x\n~~~\nhttps://prose.example.org/y\n",
			[]found{{"https://code.example.org/x", RoleCode}, {"https://prose.example.org/y", RoleCited}}},
		{"unclosed fence", "```\nhttps://code.example.org/x\n", []found{{"https://code.example.org/x", RoleCode}}},
		{"lone backtick", "A ` stray tick then https://prose.example.org/z\n", []found{{"https://prose.example.org/z", RoleCited}}},
	}
	for _, c := range cases {
		doc, err := ExtractDocument("notes.md", []byte(c.md), Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got []found
		for _, o := range doc.Occurrences {
			got = append(got, found{o.URL, o.Role})
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got  %v\n want %v", c.name, got, c.want)
		}
	}
}
