package drift

import (
	"os"
	"strings"
	"testing"
)

func readCorpus(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestJudgeReplaced(t *testing.T) {
	article := readCorpus(t, "base-bridge.txt")
	other := readCorpus(t, "base-cache.txt")
	const deep = "https://news.example.org/2024/03/council-approves-bridge-repairs"
	tests := []struct {
		name   string
		p      Page
		reason Reason // "" = not replaced
		drift  bool
	}{
		{"parked, for sale", Page{CitedURL: deep, Title: "news.example.org", RefText: article,
			Text: "news.example.org\nThis domain may be for sale!\nRelated searches\nCheap flights\nBridge repair"}, ReasonParked, false},
		{"parked, German", Page{CitedURL: deep, Title: "Diese Domain steht zum Verkauf", Text: "Jetzt Angebot abgeben"}, ReasonParked, false},
		{"parked, French", Page{CitedURL: deep, Text: "Ce domaine est à vendre. Contactez-nous."}, ReasonParked, false},
		{"parked, provider", Page{CitedURL: deep, Title: "example.org", Text: "Get this domain. Listed with HugeDomains, payment plans available."}, ReasonParked, false},
		{"domain expired", Page{CitedURL: deep, Title: "Domain expired", Text: "This domain name has expired. Renew it now at your registrar.", RefText: article}, ReasonDomainExpired, false},
		{"account suspended", Page{CitedURL: deep, Title: "Account Suspended", Text: "This Account has been suspended. Contact your hosting provider."}, ReasonSuspended, false},
		{"login wall by title", Page{CitedURL: deep, FinalURL: deep, Title: "Sign in – Example News", Text: "Email\nPassword\nForgot your password?", RefText: article}, ReasonLoginWall, false},
		{"login wall by URL", Page{CitedURL: deep, FinalURL: "https://accounts.example.org/login?next=%2F2024", Title: "Example", Text: "Welcome back", RefText: article}, ReasonLoginWall, false},
		{"paywall text", Page{CitedURL: deep, Title: "Council approves repairs", Text: "The town council voted on Tuesday.\nSubscribe to continue reading. Already a subscriber? Log in with your email."}, ReasonLoginWall, false},
		{"home page after redirect", Page{CitedURL: deep, FinalURL: "https://news.example.org/", Title: "Example News", Text: other, RefText: article}, ReasonRedirectHome, false},
		{"home page, www and locale", Page{CitedURL: deep, FinalURL: "https://www.example.org/en/index.html", Text: other}, ReasonRedirectHome, false},
		{"home page of a query link", Page{CitedURL: "https://blog.example.net/?p=1432", FinalURL: "https://blog.example.net/", Text: other}, ReasonRedirectHome, false},
		{"section page after redirect", Page{CitedURL: deep, FinalURL: "https://news.example.org/2024/", Text: other, RefText: article}, ReasonRedirectParent, false},
		{"another site", Page{CitedURL: deep, FinalURL: "https://shop.example.com/deals", Text: other, RefText: article}, ReasonOtherSite, false},
		{"stub", Page{CitedURL: deep, Text: "Council approves repairs to the old river bridge.\nThis story is no longer available.", RefText: article}, ReasonStub, false},

		// Not replaced.
		{"unchanged", Page{CitedURL: deep, Text: article, RefText: article}, "", false},
		{"rewritten: drifted, not replaced", Page{CitedURL: deep, Text: readCorpus(t, "rewrite-bridge.txt"), RefText: article}, "", true},
		{"half removed: drifted", Page{CitedURL: deep, Text: keepShare(article, 0.5), RefText: article}, "", true},
		{"moved to https and a new path, same text", Page{CitedURL: "http://news.example.org/story?id=7", FinalURL: "https://news.example.org/", Text: article, RefText: article}, "", false},
		{"moved to another site, same text", Page{CitedURL: deep, FinalURL: "https://archive.example.com/bridge", Text: article, RefText: article}, "", false},
		{"trailing slash", Page{CitedURL: deep, FinalURL: deep + "/", Text: article}, "", false},
		{"index page canonicalised", Page{CitedURL: "https://example.org/docs/guide/index.html", FinalURL: "https://example.org/docs/guide/", Text: other}, "", false},
		{"root cited, root reached", Page{CitedURL: "https://example.org", FinalURL: "https://example.org/", Text: other}, "", false},
		{"article about parking", Page{CitedURL: deep, Title: "Why domain is for sale pages are everywhere",
			Text: article + "\nThis domain is for sale, say the pages, and related searches fill the rest.", RefText: article + "\nThis domain is for sale, say the pages."}, "", false},
		{"long article mentioning login", Page{CitedURL: deep, Text: strings.Repeat("You can log in with your email and password to comment. ", 40)}, "", false},
		{"short page with a site header", Page{CitedURL: deep, Title: "Harbour fees rise | Example News",
			Text: "Home News Sport Sign in\nHarbour fees rise again this spring, the board said.\nSubscribe to our newsletter with your email."}, "", false},
		{"article about logging in", Page{CitedURL: deep, Title: "How to log in to the lab VPN", Text: "Open the client and use your lab account."}, "", false},
		{"login form", Page{CitedURL: deep, Title: "Example", Text: "Log in\nUsername\nPassword\nRemember me"}, ReasonLoginWall, false},
		{"login mentioned, no form words", Page{CitedURL: deep, Text: "How we log in to servers at the lab: a short note."}, "", false},
		{"no reference, plain page", Page{CitedURL: deep, Text: other}, "", false},
		{"tuxedo is not sedo", Page{CitedURL: deep, Text: "Tuxedo rental domain of the city's tailors."}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.p, Options{})
			if v.Reason != tc.reason || v.Replaced != (tc.reason != "") {
				t.Errorf("Judge = replaced %v reason %q (%s), want reason %q; similarity %.3f", v.Replaced, v.Reason, v.Evidence, tc.reason, v.Similarity)
			}
			if v.Drifted != tc.drift {
				t.Errorf("Drifted = %v, want %v (similarity %.3f)", v.Drifted, tc.drift, v.Similarity)
			}
			if v.Replaced && v.Evidence == "" && v.Reason != ReasonStub {
				t.Errorf("replaced without evidence")
			}
			if v.Comparable != (tc.p.RefText != "") {
				t.Errorf("Comparable = %v with RefText %q...", v.Comparable, tc.p.RefText[:min(20, len(tc.p.RefText))])
			}
		})
	}
}

func TestSite(t *testing.T) {
	for host, want := range map[string]string{
		"www.example.org":   "example.org",
		"news.example.org":  "example.org",
		"example.org":       "example.org",
		"a.b.example.co.uk": "example.co.uk",
		"127.0.0.1":         "127.0.0.1",
		"localhost":         "localhost",
		"News.Example.ORG.": "example.org",
	} {
		if got := site(host); got != want {
			t.Errorf("site(%q) = %q, want %q", host, got, want)
		}
	}
}

// A lightly edited page is never replaced, whatever URL it ends at on the
// same site: the whole labelled corpus through Judge.
func TestJudgeCorpus(t *testing.T) {
	for _, c := range corpus(t) {
		v := Judge(Page{CitedURL: "https://x.example/a/b", FinalURL: "https://x.example/a/b", Text: c.cur, RefText: c.ref}, Options{})
		if v.Replaced {
			t.Errorf("%s: replaced (%s, %s)", c.name, v.Reason, v.Evidence)
		}
		if v.Drifted != c.drifted {
			t.Errorf("%s: drifted %v, want %v (%.3f)", c.name, v.Drifted, c.drifted, v.Similarity)
		}
	}
}

// A body cut at the read limit is compared with as much of the reference
// as it has: a long unchanged page is not drifted for its missing end,
// but a rewritten one still is.
func TestJudgeTruncated(t *testing.T) {
	long := strings.Repeat(readCorpus(t, "base-bridge.txt")+"\n"+readCorpus(t, "base-cache.txt")+"\n", 3)
	prefix := long[:len(long)/3]
	if v := Judge(Page{Text: prefix, RefText: long}, Options{}); !v.Drifted {
		t.Errorf("a third of the page, not marked truncated: similarity %.3f, want drifted", v.Similarity)
	}
	if v := Judge(Page{Text: prefix, RefText: long, Truncated: true}, Options{}); v.Drifted || v.Similarity < 0.95 {
		t.Errorf("truncated prefix of an unchanged page: %+v", v)
	}
	rw := strings.Repeat(readCorpus(t, "rewrite-bridge.txt"), 6)
	if v := Judge(Page{Text: rw[:len(rw)/3], RefText: long, Truncated: true}, Options{}); !v.Drifted {
		t.Errorf("truncated rewrite: %+v, want drifted", v)
	}
}

// An extraction that took the comments for the article is rescued by the
// page's other reading; a rewritten page is not.
func TestJudgeAltText(t *testing.T) {
	article := readCorpus(t, "base-bridge.txt")
	comments := "Jo: I walked over this bridge every day for thirty years and I am glad it is being saved rather than replaced by something ugly.\nSam: Who is paying for the buses while the road is closed on those three weekends in the autumn?\n"
	comments += "Priya: My grandmother remembers the flood that took the wooden crossing upstream, and she says the stone arches never moved an inch that winter.\n"
	visible := "Home News Sport Sign in\nWe use cookies. Accept all\n" + article + "\nComments\n" + comments + "\n© 2026 Example News\n"
	if v := Judge(Page{Text: comments, RefText: article}, Options{}); !v.Drifted {
		t.Fatalf("comments alone: %+v, want drifted (the case AltText is for)", v)
	}
	if v := Judge(Page{Text: comments, AltText: visible, RefText: article}, Options{}); v.Drifted || v.Similarity < 0.95 {
		t.Errorf("with the visible text: %+v, want not drifted", v)
	}
	rw := readCorpus(t, "rewrite-bridge.txt")
	if v := Judge(Page{Text: rw, AltText: "Home News\n" + rw, RefText: article}, Options{}); !v.Drifted {
		t.Errorf("rewrite with its visible text: %+v, want drifted", v)
	}
}
