package archive

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/internal/fakeweb"
)

func TestReadableTextArticle(t *testing.T) {
	var paras strings.Builder
	for i := range 8 {
		paras.WriteString("<p>The harbour master said the quay would be finished before the season, and paragraph " +
			strings.Repeat("word ", 10) + string(rune('a'+i)) + " explains why the storms delayed it twice.</p>\n")
	}
	body := []byte(`<!doctype html><html><head><title>Quay nearly done</title><script>var x = "never text";</script></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>Quay nearly done</h1>` + paras.String() +
		`</article><footer>© The Harbour Gazette</footer></body></html>`)
	u, _ := url.Parse("https://gazette.example/quay")
	pt := ReadableText(body, "text/html; charset=utf-8", u)
	if !pt.Article || pt.Title != "Quay nearly done" {
		t.Fatalf("ReadableText = %+v, want the article", pt)
	}
	if !strings.Contains(pt.Text, "storms delayed it twice") || strings.Contains(pt.Text, "never text") {
		t.Errorf("article text = %q", pt.Text)
	}
	// The same text Capture stores in the text blob, so drift compares
	// like with like.
	art, ok := extractArticle(body, "text/html; charset=utf-8", u)
	if !ok || art.text != pt.Text {
		t.Errorf("ReadableText differs from the archived text")
	}
}

func TestReadableTextFallback(t *testing.T) {
	// Readability reads a parking page as an article or not, depending on
	// its markup; either way its phrases must reach the verdicts.
	parked := []byte(`<html><head><title>gazette.example - This domain may be for sale</title>
<style>body{color:red}</style><script>track()</script></head>
<body><div class="banner">This domain may be for sale!</div><ul><li><a>Related searches</a></li><li>Cheap flights</li></ul>
<form><label>Email</label><input name=email><button>Make an offer</button></form></body></html>`)
	pt := ReadableText(parked, "", nil)
	if !strings.Contains(pt.Title+pt.Text, "for sale") || strings.Contains(pt.Text, "track()") {
		t.Errorf("parking page: %+v", pt)
	}

	// No article at all (a frameset): the visible text, with the title.
	frames := []byte(`<html><head><title>Sign in</title><script>boot()</script></head><frameset><frame src=x></frameset>
<noframes>Please log in with your email and password.</noframes></html>`)
	if _, ok := extractArticle(frames, "text/html", nil); ok {
		t.Fatal("test page unexpectedly has an article")
	}
	pt = ReadableText(frames, "text/html", nil)
	if pt.Article || pt.Title != "Sign in" || !strings.Contains(pt.Text, "Please log in") || strings.Contains(pt.Text, "boot()") {
		t.Errorf("frameset page: %+v", pt)
	}

	title, text := visibleText(parked)
	if title != "gazette.example - This domain may be for sale" {
		t.Errorf("visibleText title = %q", title)
	}
	for _, want := range []string{"This domain may be for sale!\n", "Related searches\n", "Cheap flights\n", "Make an offer"} {
		if !strings.Contains(text, want) {
			t.Errorf("visible text lacks %q: %q", want, text)
		}
	}
	for _, no := range []string{"color:red", "track()"} {
		if strings.Contains(text, no) {
			t.Errorf("visible text has %q: %q", no, text)
		}
	}
	// Truncated bodies (a bounded prefix) and garbage do not fail.
	if _, text := visibleText(parked[:len(parked)/2]); !strings.Contains(text, "This domain may") {
		t.Errorf("truncated body: %q", text)
	}
	if pt := ReadableText([]byte("\x00\xff<<<"), "text/html", nil); strings.Contains(pt.Text, "\x00") {
		t.Errorf("garbage kept a NUL: %+v", pt)
	}
	// A huge page is bounded.
	if _, text := visibleText([]byte("<div>" + strings.Repeat("lorem ipsum ", 20000) + "</div>")); len(text) > maxVisibleText+1 {
		t.Errorf("visible text of %d bytes, bound %d", len(text), maxVisibleText)
	}
}

// The reference side: the text a capture kept is what ReadableText gives
// for the same body, so a page that did not change has similarity 1.
func TestSnapshotTextMatchesReadableText(t *testing.T) {
	w := newWeb(t)
	page := articlePage("Harbour Board Votes to Replace Breakwater", harbourParas...)
	w.Site("news.example").Page("/2024/04/29/harbour-breakwater", fakeweb.Respond(200, "text/html; charset=utf-8", page))
	e := newEnv(t, nil)
	r := fetch(t, w, articleURL, t0)
	s := e.capture(t, r, Captured)

	got, err := e.a.SnapshotText(s)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(articleURL)
	if pt := ReadableText(r.Body, r.Header.Get("Content-Type"), u); got == "" || got != pt.Text {
		t.Errorf("snapshot text and ReadableText differ:\n%q\n%q", got, pt.Text)
	}
	// Without a text blob, the raw copy is read the same way.
	noText := s
	noText.TextBlob = ""
	if fromRaw, err := e.a.SnapshotText(noText); err != nil || fromRaw != got {
		t.Errorf("text from the raw copy differs (%v):\n%q", err, fromRaw)
	}
	noText.ContentType = "application/pdf"
	if txt, err := e.a.SnapshotText(noText); txt != "" || err != nil {
		t.Errorf("non-HTML snapshot without text: %q, %v", txt, err)
	}
	if txt, err := e.a.SnapshotText(Snapshot{ID: 9}); txt != "" || err != nil {
		t.Errorf("snapshot without text: %q, %v", txt, err)
	}
	// A damaged blob is an error, never a wrong reference text.
	p, err := e.a.blobs.path(s.TextBlob)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.SnapshotText(s); err == nil {
		t.Error("damaged text blob read without error")
	}
}

func TestVisibleText(t *testing.T) {
	body := []byte("<html><head><title>Sign in</title><meta charset=\"windows-1252\"></head><body><p>Caf\xe9 members only</p><script>x()</script></body></html>")
	pt := VisibleText(body, "text/html")
	if pt.Title != "Sign in" || pt.Article || !strings.Contains(pt.Text, "Café members only") || strings.Contains(pt.Text, "x()") {
		t.Errorf("VisibleText = %+v", pt)
	}
}
