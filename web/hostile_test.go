package web

import (
	"net/http"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"

	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/store"
)

// wantSafeLinks fails when an href or src in an HTML page is neither a
// web URL nor one of the UI's own (root-relative, or a fragment).
func wantSafeLinks(t *testing.T, page, body string) {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", page, err)
	}
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		for _, a := range n.Attr {
			if (a.Key == "href" || a.Key == "src" || a.Key == "action") && !strings.HasPrefix(a.Val, "#") && safeurl.CheckLocal(a.Val) != nil {
				t.Errorf("%s: <%s %s=%q>", page, n.Data, a.Key, a.Val)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

// TestHostileArchiveCopyIsNoLink: a catalog whose recorded public copies
// are a spreadsheet formula and a javascript: URL (answers of a hostile
// archive) shows neither as a link on the link page or the /go page.
func TestHostileArchiveCopyIsNoLink(t *testing.T) {
	f := newFixture(t, nil)
	for _, hostile := range []string{`=cmd|' /C calc'!A0`, `javascript:alert(1)`, `data:text/html,<script>alert(1)</script>`} {
		if err := f.st.SetArchiveCopy(t.Context(), urlGone, store.ArchiveCopy{URL: hostile, Time: testNow, Source: "wayback", CheckedAt: testNow}); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/link?url=" + urlQueryEscape(urlGone), "/go?url=" + urlQueryEscape(urlGone)} {
			resp, body := f.get(t, path)
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
				t.Fatalf("%s: status %d", path, resp.StatusCode)
			}
			wantSafeLinks(t, path, body)
			if loc := resp.Header.Get("Location"); loc != "" && safeurl.CheckLocal(loc) != nil {
				t.Errorf("%s: redirect to %q", path, loc)
			}
		}
	}
	// A good copy still is a link, so the check above is not vacuous.
	good := "https://web.archive.org/web/20240101000000/" + urlGone
	if err := f.st.SetArchiveCopy(t.Context(), urlGone, store.ArchiveCopy{URL: good, Time: testNow, Source: "wayback", CheckedAt: testNow}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/link?url=" + urlQueryEscape(urlGone), "/go?url=" + urlQueryEscape(urlGone)} {
		if _, body := f.get(t, path); !strings.Contains(body, `href="`+good+`"`) {
			t.Errorf("%s: no link to the good copy", path)
		}
	}
}
