package archive

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func sanitizeString(t *testing.T, frag string) string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(frag), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	sanitize(root)
	var b bytes.Buffer
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		html.Render(&b, c)
	}
	return b.String()
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`<p onclick="x()" style="background:url(http://e/x)">Hi <b onmouseover=y>there</b></p>`, `<p>Hi <b>there</b></p>`},
		{`<script>alert(1)</script><p>a</p><style>p{}</style>`, `<p>a</p>`},
		{`<iframe src="https://e/"></iframe><object data="x"></object><embed src="y"><p>b</p>`, `<p>b</p>`},
		{`<img src="https://e/p.jpg" alt="A harbour" onerror="z()">`, `<span class="lr-img">[image: A harbour]</span>`},
		{`<img src="https://e/p.jpg">`, ``},
		{`<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">`, `<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot"/>`},
		{`<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="svg">`, `<span class="lr-img">[image: svg]</span>`},
		{`<a href="javascript:alert(1)">x</a>`, `<a>x</a>`},
		{`<a href="https://e/x" target="_blank" ping="https://t/">x</a>`, `<a href="https://e/x" rel="noreferrer noopener">x</a>`},
		{`<a href="#sec">x</a>`, `<a href="#sec" rel="noreferrer noopener">x</a>`},
		{`<custom-box><p>kept</p></custom-box>`, `<p>kept</p>`},
		{`<font color="red">old <u>markup</u></font>`, `old <u>markup</u>`},
		{`<svg><script>x</script><a xlink:href="javascript:1">s</a></svg><p>c</p>`, `<p>c</p>`},
		{`<form action="https://e/"><input name="q"><p>in form</p></form>`, ``},
		{`<video src="v.mp4" poster="p.jpg">fallback</video><audio src="a.mp3"></audio>`, ``},
		{`<table><tr><td colspan="2" bgcolor="red" background="https://e/bg.gif">c</td></tr></table>`, `<table><tbody><tr><td colspan="2">c</td></tr></tbody></table>`},
		{`<!-- comment --><p>d</p>`, `<p>d</p>`},
		{`<link rel="stylesheet" href="https://e/s.css"><meta http-equiv="refresh" content="0;url=https://e/"><base href="https://e/"><p>e</p>`, `<p>e</p>`},
	} {
		if got := sanitizeString(t, tc.in); got != tc.want {
			t.Errorf("sanitize(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestDecodeText(t *testing.T) {
	t.Parallel()
	// UTF-8 past the first 1024 bytes, no declaration anywhere.
	body := []byte("<html><head><title>x</title></head><body><p>" + strings.Repeat("ascii ", 300) + "</p><p>naïve café – “quoted”</p></body></html>")
	if got := decodeText(body, "text/html", true); !bytes.Contains(got, []byte("naïve café – “quoted”")) {
		t.Errorf("late UTF-8 decoded as something else: %q", got[len(got)-60:])
	}
	// Latin-1 without any declaration: the windows-1252 fallback.
	if got := decodeText([]byte("<p>caf\xe9</p>"), "text/html", true); !bytes.Contains(got, []byte("café")) {
		t.Errorf("undeclared Latin-1: %q", got)
	}
	// The header wins over a contradicting meta.
	cp := []byte("<meta charset=\"utf-8\"><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>")
	if got := decodeText(cp, "text/html; charset=windows-1251", true); !bytes.Contains(got, []byte("Привет")) {
		t.Errorf("header charset: %q", got)
	}
	// A BOM wins over the header.
	if got := decodeText([]byte("\xef\xbb\xbf<p>é</p>"), "text/html; charset=iso-8859-1", true); !bytes.Contains(got, []byte("<p>é</p>")) {
		t.Errorf("BOM: %q", got)
	}
}

func TestExtractArticleGivesUpCleanly(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "<html></html>", "<frameset><frame src=x></frameset>"} {
		if _, ok := extractArticle([]byte(body), "text/html", nil); ok {
			t.Errorf("article found in %q", body)
		}
	}
}
