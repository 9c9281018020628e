package archive

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
)

// visiblePages are pages whose visible words the token reading must give
// exactly as the tree walk does.
var visiblePages = []string{
	`<html><head><title>Buy this domain</title><meta charset="utf-8"><style>p{}</style></head><body><div class="x"><p>This domain <b>may</b> be for sale.</p><p>Inquire &amp; offer</p></div><script>var a = "<p>not text</p>";</script></body></html>`,
	`<!doctype html><title>Sign in | Example News</title><form><label>Email</label><input name=e><label>Password</label><button>Log in</button></form><noscript>enable scripts</noscript>`,
	`<html><body><h1>Harbour works</h1><ul><li>one<li>two</ul><table><tr><td>a<td>b</table><p>The council voted on Tuesday.<br>Second line</p><template><p>hidden</p></template><svg><text>svg text</text></svg></body></html>`,
	`<p>no head, no body: a bare fragment with <i>inline</i> markup`,
	`<html><head><title>T &amp; C</title></head><body>` + strings.Repeat("<p>lorem ipsum dolor</p>", 50) + `</body></html>`,
	`<html><head><title>Unclosed</title><body><article><header>Kicker</header><p>Text in an article<aside>related</aside></article>`,
}

func TestVisibleTokensMatchTheTreeWalk(t *testing.T) {
	t.Parallel()
	for i, page := range visiblePages {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			wantTitle, wantText := visibleText([]byte(page))
			title, text := visibleTokens([]byte(page))
			if title != wantTitle {
				t.Errorf("title %q, the tree walk gives %q", title, wantTitle)
			}
			if got, want := strings.Fields(text), strings.Fields(wantText); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("words\n%q\nthe tree walk gives\n%q", got, want)
			}
		})
	}
}

func TestVisibleTokensBounded(t *testing.T) {
	t.Parallel()
	_, text := visibleTokens([]byte("<div>" + strings.Repeat("lorem ipsum ", 20000) + "</div>"))
	if len(text) > maxVisibleText+1 {
		t.Errorf("visible text of %d bytes, bound %d", len(text), maxVisibleText)
	}
}

// FuzzVisibleTokens: no panic, the bound holds, and a page in valid UTF-8
// gives valid UTF-8. Seeds are visiblePages and testdata/fuzz.
func FuzzVisibleTokens(f *testing.F) {
	for _, p := range visiblePages {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, page string) {
		title, text := visibleTokens([]byte(page))
		if len(text) > maxVisibleText+1 {
			t.Fatalf("text of %d bytes", len(text))
		}
		if utf8.ValidString(page) && (!utf8.ValidString(title) || !utf8.ValidString(text)) {
			t.Fatalf("invalid UTF-8 out of a valid page: %q, %q", title, text)
		}
	})
}

func TestVisibleWords(t *testing.T) {
	t.Parallel()
	body := []byte("<html><head><title>Sign in</title><meta charset=\"windows-1252\"></head><body><p>Caf\xe9 members only</p><script>x()</script></body></html>")
	pt := VisibleWords(body, "text/html")
	if pt.Title != "Sign in" || pt.Article || strings.TrimSpace(pt.Text) != "Café members only" {
		t.Errorf("VisibleWords = %+v", pt)
	}
}

// FuzzAppendWords holds appendWords to bytes.Fields, which it replaces.
func FuzzAppendWords(f *testing.F) {
	for _, s := range []string{"", "  a  b\t\nc ", "caf\xc3\xa9\u00a0x\u2003y", "\xff\xfe a", "one"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b strings.Builder
		appendWords(&b, []byte(s))
		var want []string
		for _, w := range bytes.Fields([]byte(s)) {
			want = append(want, string(w))
		}
		if got := b.String(); got != strings.Join(want, " ") {
			t.Errorf("appendWords(%q) = %q, want %q", s, got, strings.Join(want, " "))
		}
	})
}

// FuzzDecodeUTF8 holds decodeText's shortcut for valid UTF-8 to the
// decoder it skips: the same bytes out, BOM and all.
func FuzzDecodeUTF8(f *testing.F) {
	for _, s := range []string{"", "<p>café</p>", "\xef\xbb\xbf<p>x</p>", "<p>\xff\xfe</p>", "<meta charset=utf-8><p>é</p>"} {
		f.Add(s)
	}
	const ct = "text/html; charset=utf-8"
	f.Fuzz(func(t *testing.T, page string) {
		if _, name, _ := charset.DetermineEncoding([]byte(page), ct); name != "utf-8" {
			t.Skip() // a byte-order mark names another encoding
		}
		want, err := unicode.UTF8.NewDecoder().Bytes([]byte(page))
		if err != nil {
			t.Skip()
		}
		if got := decodeText([]byte(page), ct, true); !bytes.Equal(got, want) {
			t.Errorf("decodeText(%q) = %q, the UTF-8 decoder gives %q", page, got, want)
		}
	})
}
