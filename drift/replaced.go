package drift

import (
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reason says why a page counts as replaced. The names are stable: the
// store keeps them and reports print them.
type Reason string

// Reasons a page is replaced.
const (
	ReasonParked         Reason = "parked"           // a parking or for-sale page
	ReasonDomainExpired  Reason = "domain_expired"   // the registrar's "expired" page
	ReasonSuspended      Reason = "suspended"        // the host's "account suspended" page
	ReasonLoginWall      Reason = "login_wall"       // a sign-in page stands where the text was
	ReasonRedirectHome   Reason = "redirect_to_home" // a deep link now lands on the site's root
	ReasonRedirectParent Reason = "redirect_to_parent"
	ReasonOtherSite      Reason = "other_site" // redirected to another site saying something else
	ReasonStub           Reason = "stub"       // a few words left where a text was
)

// Page is what the check saw and what was cited. Texts are readable text
// (as archive.ReadableText gives it); RefText is empty when the link has
// no reference copy.
type Page struct {
	CitedURL string // the link as documents cite it
	FinalURL string // after redirects; "" means the same as CitedURL
	Title    string // the current page's title
	Text     string // the current readable text
	RefText  string // the reference copy's readable text; "" if none
	// AltText is optional: another reading of the current page, such as
	// archive.VisibleText's. When given, the similarity is the better of
	// the two, so an extraction that picked the wrong block (a long comment
	// section taken for the article) cannot make a page drift; containment
	// does not mind the navigation and footer the visible text adds.
	// Callers may fill it only when a first Judge without it says drifted.
	AltText string
	// Truncated: the check read only a prefix of the body (the read
	// limit), so Text may end early. Only as much of the reference as
	// Text has words is compared, or a long page would seem to have lost
	// its end.
	Truncated bool
}

// Verdict is the content verdict of one check.
type Verdict struct {
	// Comparable: there was a reference text with words to compare with;
	// Similarity means nothing otherwise (it is then 1).
	Comparable bool
	Similarity float64
	// Drifted: Comparable and Similarity below the threshold, and not
	// Replaced (a replaced page is reported as replaced only).
	Drifted  bool
	Replaced bool
	Reason   Reason // set when Replaced
	Evidence string // what matched: a phrase, a URL path; for people
}

// Judge compares the current page with its reference copy and decides
// drifted and replaced. It is the one call a check makes.
func Judge(p Page, o Options) Verdict {
	o = o.withDefaults()
	refToks := content(p.RefText)
	var ref, cur Fingerprint // cur is only needed to compare: without a reference, not computed
	v := Verdict{Similarity: 1, Comparable: len(refToks) > 0}
	if v.Comparable {
		curToks := content(p.Text)
		if p.Truncated && len(curToks) < len(refToks) {
			refToks = refToks[:len(curToks)]
		}
		ref, cur = fromTokens(refToks, o.Shingle), fromTokens(curToks, o.Shingle)
		v.Similarity = Containment(ref, cur)
		if p.AltText != "" && v.Similarity < 1 {
			// The reference is not cut again: a visible text runs longer
			// than the readable one, never shorter.
			if alt := NewFingerprint(p.AltText, o.Shingle); Containment(ref, alt) > v.Similarity {
				v.Similarity = Containment(ref, alt)
				cur = alt
			}
		}
	}
	low := v.Comparable && v.Similarity < o.Threshold
	if r, ev, ok := replaced(p, ref, cur, v.Comparable, low); ok {
		v.Replaced, v.Reason, v.Evidence = true, r, ev
		return v
	}
	v.Drifted = low
	return v
}

// Phrases are matched on lower-cased text with spaces collapsed.
var (
	parkedPhrases = newPhraseSet(
		"this domain is for sale", "this domain may be for sale", "domain is for sale", "buy this domain",
		"the domain name is for sale", "this domain name is for sale", "make an offer on this domain",
		"inquire about this domain", "domain is parked", "this domain is parked", "parked free", "parked domain",
		"this web page is parked", "related searches", "sponsored listings",
		"diese domain steht zum verkauf", "diese domain kaufen", "domain kaufen", "ce domaine est à vendre",
		"ce nom de domaine est à vendre", "este dominio está a la venta", "dominio en venta",
		"questo dominio è in vendita", "dit domein is te koop", "domein te koop",
	)
	// Parking and aftermarket providers whose names appear on their pages.
	parkingProviders = newPhraseSet(
		"sedo", "sedoparking", "dan.com", "afternic", "hugedomains", "bodis", "parkingcrew",
		"above.com", "undeveloped.com", "namebright", "domainmarket", "uniregistry", "buydomains",
	)
	expiredPhrases = newPhraseSet(
		"domain has expired", "domain name has expired", "this domain expired", "domain expired",
		"renew this domain", "expired domain", "domain registration has expired",
		"diese domain ist abgelaufen", "ce domaine a expiré", "el dominio ha caducado",
	)
	suspendedPhrases = newPhraseSet(
		"account suspended", "account has been suspended", "this account has been suspended",
		"website is suspended", "site suspended", "this site has been suspended", "hosting account suspended",
		"website has been suspended", "site has been disabled", "bandwidth limit exceeded",
		"konto gesperrt", "compte suspendu", "cuenta suspendida",
	)
	// loginPhrases name a sign-in; on their own they are weak (every
	// page's header has "Sign in"), so in the text they count only next
	// to a password field's label, and in the title only as a title part
	// of its own ("Sign in | Example News").
	loginPhrases = newPhraseSet(
		"sign in", "log in", "login", "signin", "log on", "sign on", "anmelden", "einloggen",
		"connexion", "se connecter", "iniciar sesión", "accedi", "inloggen",
	)
	passwordWords = newPhraseSet("password", "passwort", "mot de passe", "contraseña", "wachtwoord")
	// wallPhrases say on their own that the text is behind a wall.
	wallPhrases = newPhraseSet(
		"sign in to continue", "log in to continue", "login to continue", "please log in", "please sign in",
		"you must be logged in", "you need to be logged in", "members only", "subscribe to continue reading",
		"subscribe to read", "this content is for subscribers", "only available to subscribers",
		"bitte melden sie sich an", "réservé aux abonnés", "solo para suscriptores",
	)
	domainWords    = newPhraseSet("domain", "domains", "domaine", "dominio")
	loginPathParts = map[string]bool{
		"login": true, "signin": true, "sign-in": true, "sign_in": true, "logon": true, "auth": true,
		"sso": true, "account/login": true, "accounts/login": true, "users/sign_in": true, "session": true,
		"sessions": true, "oauth": true, "authorize": true, "anmelden": true, "connexion": true, "paywall": true,
	}
)

// Size limits: parking, error and login pages are short, so their phrases
// count in the body only when the page is; an article about domain
// parking mentions them too.
const (
	shortPage  = 300 // words; a phrase in the text of a longer page is not a sign
	loginPage  = 150 // words
	stubWords  = 60  // at most this many words left of ...
	stubRef    = 150 // ... a reference of at least this many
	stubSimMax = 0.2
	stubOwnMax = 0.6 // share of the stub's own shingles found in the reference
)

// lowered lower-cases s and collapses each run of ASCII white space (what
// RE2's \s matches: tab, newline, form feed, carriage return, space) into
// one space. A loop, not a regexp: it runs on every judged page.
func lowered(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = strings.ToLower(s)
	}
	// An ASCII text is lowered in the same pass (most pages are).
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		if ascii && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// countWords is len(strings.Fields(s)) without the slice.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			n++
		}
	}
	return n
}

// phraseSet finds the first of its phrases (in list order) that s holds
// at word boundaries, in one pass over s: a phrase that starts with a word
// can only match where a word of s equals its first word, so each word
// of s is looked up once instead of s being searched once per phrase.
type phraseSet struct {
	phrases []string
	byFirst map[string][]int // a phrase's first word → its indexes
	other   []int            // phrases that start with no word byte
	// shapes[c] has bit n set when some first word starts with byte c and
	// is n bytes long (63: longer): most words of a page fail this test
	// and skip the map.
	shapes [256]uint64
}

func newPhraseSet(phrases ...string) *phraseSet {
	ps := &phraseSet{phrases: phrases, byFirst: make(map[string][]int)}
	for i, p := range phrases {
		w := 0
		for w < len(p) && isWordByte(p[w]) {
			w++
		}
		if w == 0 {
			ps.other = append(ps.other, i)
			continue
		}
		ps.byFirst[p[:w]] = append(ps.byFirst[p[:w]], i)
		ps.shapes[p[0]] |= 1 << min(w, 63)
	}
	return ps
}

// findPhrase returns the first phrase of ps that s contains at word
// boundaries, or "".
func findPhrase(s string, ps *phraseSet) string {
	best := -1
	for _, k := range ps.other {
		if containsWord(s, ps.phrases[k]) {
			best = k
			break
		}
	}
	for i := 0; i < len(s) && best != 0; {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if ps.shapes[s[i]]&(1<<min(j-i, 63)) == 0 {
			i = j
			continue
		}
		for _, k := range ps.byFirst[s[i:j]] {
			if best >= 0 && k >= best {
				break // indexes are ascending
			}
			p := ps.phrases[k]
			if end := i + len(p); strings.HasPrefix(s[i:], p) && (end == len(s) || !isWordByte(s[end])) {
				best = k
				break
			}
		}
		i = j
	}
	if best < 0 {
		return ""
	}
	return ps.phrases[best]
}

// containsWord finds p in s at word boundaries, so "login" does not match
// "loginsight" nor "sedo" "tuxedo".
func containsWord(s, p string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], p)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(p)
		if (j == 0 || !isWordByte(s[j-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = j + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// replaced decides whether the page is something else than what was
// cited. A page that still says what was cited (comparable and not low)
// is never replaced, whatever it mentions.
func replaced(p Page, ref, cur Fingerprint, comparable, low bool) (Reason, string, bool) {
	if comparable && !low {
		return "", "", false
	}
	words := countWords(p.Text)
	short := words <= shortPage
	title, text := lowered(p.Title), ""
	if short {
		text = lowered(p.Text) // a longer page's text is never searched
	}
	cited, _ := url.Parse(p.CitedURL)
	final := cited
	if p.FinalURL != "" {
		if f, err := url.Parse(p.FinalURL); err == nil {
			final = f
		}
	}

	check := func(phrases *phraseSet) string {
		if ph := findPhrase(title, phrases); ph != "" {
			return "title: " + ph
		}
		if short {
			if ph := findPhrase(text, phrases); ph != "" {
				return "text: " + ph
			}
		}
		return ""
	}
	if ev := check(expiredPhrases); ev != "" {
		return ReasonDomainExpired, ev, true
	}
	if ev := check(suspendedPhrases); ev != "" {
		return ReasonSuspended, ev, true
	}
	if ev := check(parkedPhrases); ev != "" {
		return ReasonParked, ev, true
	}
	if short {
		if ph := findPhrase(title+" "+text, parkingProviders); ph != "" && findPhrase(text+" "+title, domainWords) != "" {
			return ReasonParked, "provider: " + ph, true
		}
	}
	if final != nil && final.Host != "" {
		if ev := loginPath(final); ev != "" && (cited == nil || loginPath(cited) == "") {
			return ReasonLoginWall, "final URL: " + ev, true
		}
	}
	if words <= loginPage {
		if ph := loginTitle(title); ph != "" {
			return ReasonLoginWall, "title: " + ph, true
		}
		if ph := findPhrase(text, wallPhrases); ph != "" {
			return ReasonLoginWall, "text: " + ph, true
		}
		if ph := findPhrase(text, loginPhrases); ph != "" && findPhrase(text, passwordWords) != "" {
			return ReasonLoginWall, "text: " + ph + " with a password field", true
		}
	}
	if cited != nil && final != nil && cited.Host != "" && final.Host != "" && p.FinalURL != "" && p.FinalURL != p.CitedURL {
		sameSite := site(cited.Hostname()) == site(final.Hostname())
		deep := !isRootPath(cited.Path) || cited.RawQuery != ""
		switch {
		case sameSite && deep && isRootPath(final.Path) && !(isRootPath(cited.Path) && final.RawQuery == cited.RawQuery):
			return ReasonRedirectHome, "redirected to " + pathOf(final), true
		case sameSite && deep && isParentPath(final.Path, cited.Path):
			return ReasonRedirectParent, "redirected to " + pathOf(final), true
		case !sameSite && comparable:
			return ReasonOtherSite, "redirected to " + final.Hostname(), true
		}
	}
	// A few words where a text was, and most of them not from it ("This
	// story is no longer available"); a teaser that keeps the cited
	// opening is drifted instead.
	if comparable && ref.Words() >= stubRef && cur.Words() <= stubWords &&
		Containment(ref, cur) <= stubSimMax && Containment(cur, ref) < stubOwnMax {
		return ReasonStub, "", true
	}
	return "", "", false
}

var reTitleSep = regexp.MustCompile(` [|·•–—-] |: `)

// loginTitle returns the sign-in phrase a title part starts with ("Sign
// in | Example News", "Login - Portal"), or "": "How to log in to the
// VPN" is an article about it.
func loginTitle(title string) string {
	for _, part := range reTitleSep.Split(title, -1) {
		part = strings.TrimSpace(part)
		for _, p := range loginPhrases.phrases {
			if part == p || strings.HasPrefix(part, p+" ") && len(strings.Fields(part)) <= 4 {
				return p
			}
		}
	}
	return ""
}

func pathOf(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// segments splits a URL path into its non-empty segments, lower-cased,
// without a trailing index or default page ("/a/b/index.html" is "/a/b/").
func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(strings.ToLower(p), "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	if n := len(out); n > 0 {
		base := strings.TrimSuffix(out[n-1], path.Ext(out[n-1]))
		if base == "index" || base == "default" {
			out = out[:n-1]
		}
	}
	return out
}

var reLocale = regexp.MustCompile(`^[a-z]{2}([-_][a-z]{2})?$`)

// isRootPath: the site's home page, in any of the shapes sites give it:
// "/", "/index.html", "/home", "/en/", "/de-de/start".
func isRootPath(p string) bool {
	seg := segments(p)
	if len(seg) > 0 && reLocale.MatchString(seg[0]) {
		seg = seg[1:]
	}
	if len(seg) == 1 {
		switch strings.TrimSuffix(seg[0], path.Ext(seg[0])) {
		case "home", "start", "welcome", "homepage", "accueil", "inicio", "startseite":
			seg = seg[1:]
		}
	}
	return len(seg) == 0
}

// isParentPath: final is a proper ancestor of cited ("/news/" of
// "/news/2020/story"), as when a site sends its retired pages to their
// section.
func isParentPath(final, cited string) bool {
	f, c := segments(final), segments(cited)
	if len(f) == 0 || len(f) >= len(c) {
		return false
	}
	for i := range f {
		if f[i] != c[i] {
			return false
		}
	}
	return true
}

// loginPath returns the login-like part of u's path, or "".
func loginPath(u *url.URL) string {
	seg := segments(u.Path)
	for i, s := range seg {
		if loginPathParts[s] {
			return s
		}
		if i+1 < len(seg) && loginPathParts[s+"/"+seg[i+1]] {
			return s + "/" + seg[i+1]
		}
	}
	return ""
}

// secondLevel are the labels under which registries sell names (co.uk,
// com.au): the site is then the last three labels.
var secondLevel = map[string]bool{"co": true, "com": true, "org": true, "net": true, "ac": true, "gov": true, "edu": true, "ne": true, "or": true, "go": true}

// site approximates the registrable domain of host, so that www.x.org
// and news.x.org are one site and x.org and y.org are not. An IP address
// is its own site.
func site(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	labels := strings.Split(host, ".")
	n := len(labels)
	if n <= 2 || strings.Contains(host, ":") || isNumeric(labels[n-1]) {
		return host
	}
	if len(labels[n-1]) == 2 && secondLevel[labels[n-2]] {
		return strings.Join(labels[n-3:], ".")
	}
	return strings.Join(labels[n-2:], ".")
}

func isNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
