package sources

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lineBreak is the whitespace at which a URL's run of characters stopped.
type lineBreak struct {
	at        int  // text offset of the first whitespace byte
	contStart int  // text offset of the next non-space byte
	newline   bool // the whitespace holds one newline (a wrap)
	spaces    int  // spaces before the continuation when there is no newline
}

// maxLineLook bounds how far back the start of a break's line is sought.
const maxLineLook = 2048

// findBreak reads the whitespace at s[i]. It reports false at the end of the
// text, at a blank line (a paragraph break is never a wrap) and when the
// URL's run did not stop at whitespace at all.
func findBreak(s string, i int) (lineBreak, bool) {
	br := lineBreak{at: i}
	j := i
	for j < len(s) && j-i <= 64 {
		switch c := s[j]; {
		case c == ' ' || c == '\t':
			if !br.newline {
				br.spaces++
			}
			j++
		case c == '\r':
			j++
		case c == '\n':
			if br.newline {
				return br, false
			}
			br.newline = true
			j++
		case c == 0xC2 && j+1 < len(s) && s[j+1] == 0xA0: // no-break space
			if !br.newline {
				br.spaces++
			}
			j += 2
		default:
			if j == i {
				return br, false
			}
			br.contStart = j
			return br, true
		}
	}
	return br, false
}

// plainProseAfterSpace is the common case decided without the rules: a URL
// that can end where it is, then one space and a plain word ("…/report for
// details"). The rules would only say no at greater cost: the space prior
// (-3) outweighs anything a plain word can add on a space break.
func plainProseAfterSpace(b *urlBuilder, s string, br lineBreak) bool {
	if br.newline || b.inHost() || b.softBreak || b.zwBreak || len(b.out) == 0 {
		return false
	}
	switch b.out[len(b.out)-1] {
	case '-', '=', '&', '?', '%', '_', '~', '+', '(', '#':
		return false
	}
	j := br.contStart
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	if j == br.contStart {
		return false
	}
	// A word that ends its line goes to the rules: the space may be a wrap
	// that lost its newline ("…-islamic-stat e").
	return j < len(s) && strings.IndexByte(" ,.;:", s[j]) >= 0 && !lineEndsAfter(s, j)
}

// lineEndsAfter reports whether only punctuation and spaces follow s[j:]
// before the end of its line.
func lineEndsAfter(s string, j int) bool {
	for ; j < len(s); j++ {
		switch s[j] {
		case '\n', '\r':
			return true
		case ' ', '\t', '.', ',', ';', ':', '!', '?':
		default:
			return false
		}
	}
	return true
}

// joinCase is one question "does the URL go on after this break?", with the
// facts the rules look at.
type joinCase struct {
	e      *extractor
	b      *urlBuilder
	br     lineBreak
	opener byte

	left    string // the URL so far, cleaned
	cont    string // the next token, cleaned
	core    string // cont without trailing prose punctuation
	tail    string // that punctuation
	contEnd int    // text offset where the token ends
	rest    string // what follows the token on its line (bounded)
	newURL  bool   // the token starts a URL of its own

	breakLineLen int // length of the line the break ends, trailing spaces cut
}

func (e *extractor) newJoinCase(b *urlBuilder, br lineBreak, opener byte) *joinCase {
	jc := &joinCase{e: e, b: b, br: br, opener: opener, left: string(b.out)}
	s := e.s
	t := &e.tok
	t.reset(br.contStart)
	t.pathStart = b.pathStart
	if b.pathStart >= 0 {
		t.pathStart = 0
	}
	t.hostSoFar = len(b.out) - b.authStart
	t.sawAt, t.sawPort = b.sawAt, b.sawPort
	t.parens, t.brackets = b.parens, b.brackets
	jc.contEnd = t.scanRun(s, br.contStart)
	jc.cont = string(t.out)
	cut := trailingTrim(jc.left+jc.cont, len(jc.left), opener)
	jc.core, jc.tail = jc.cont[:len(jc.cont)-cut], jc.cont[len(jc.cont)-cut:]
	restEnd := min(len(s), jc.contEnd+200)
	if nl := strings.IndexByte(s[jc.contEnd:restEnd], '\n'); nl >= 0 {
		restEnd = jc.contEnd + nl
	}
	jc.rest = strings.TrimSpace(s[jc.contEnd:restEnd])
	jc.newURL = startsURL(s, br.contStart, jc.contEnd)
	if br.newline {
		// Only whether the line reached the wrap width matters, so look back
		// a bounded distance: a longer line has reached any width.
		from := max(0, br.at-maxLineLook)
		ls := from + strings.LastIndexByte(s[from:br.at], '\n') + 1
		jc.breakLineLen = len(strings.TrimRight(s[ls:br.at], " \t\r"))
	}
	return jc
}

// startsURL reports whether s[i:end] begins a URL of its own: a scheme, www.
// or a bare host name with a path.
func startsURL(s string, i, end int) bool {
	if _, ok := matchScheme(s, i); ok {
		return true
	}
	if matchWWW(s, i) {
		return true
	}
	if k := strings.IndexByte(s[i:end], '/'); k > 0 {
		if h, ok := bareHostStart(s, i+k, i); ok && h == i {
			return true
		}
	}
	return false
}

func (jc *joinCase) leftLast() byte {
	if jc.left == "" {
		return 0
	}
	return jc.left[len(jc.left)-1]
}

// plainWord reports whether the continuation is one word of letters only.
func (jc *joinCase) plainWord() bool {
	if jc.core == "" {
		return false
	}
	for _, r := range jc.core {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// leftTail returns the lowercase ASCII letters that end the URL so far.
func (jc *joinCase) leftTail() string {
	i := len(jc.left)
	for i > 0 && isLetter(jc.left[i-1]) {
		i--
	}
	return strings.ToLower(jc.left[i:])
}

// contHead returns the lowercase ASCII letters that begin the continuation.
func (jc *joinCase) contHead() string {
	i := 0
	for i < len(jc.core) && isLetter(jc.core[i]) {
		i++
	}
	return strings.ToLower(jc.core[:i])
}

func hasAlnum(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func allDigits[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

// fileExtOf returns the extension ending s ("html" in "…/a.html"), if it is a
// known file extension.
func fileExtOf(s string) string {
	dot := strings.LastIndexByte(s, '.')
	if dot < 0 || strings.IndexByte(s[dot:], '/') >= 0 || len(s)-dot > 6 {
		return ""
	}
	ext := lowerASCII(s[dot+1:])
	if fileExts[ext] {
		return ext
	}
	return ""
}

// joinRule is one named piece of evidence about a break. weigh returns a
// positive weight to argue for joining, a negative one for ending the URL,
// 0 when the rule has nothing to say. why words the evidence for a person
// to check; it runs only for decisions that are kept, so the common case
// formats nothing. A rule without why is a prior.
type joinRule struct {
	name  string
	weigh func(*joinCase) float64
	why   func(*joinCase) string
}

// joinRules are summed; the URL goes on when the total is positive. Weights
// are rough log-odds: ±1 is a hint, ±3 is strong, ±8 settles it.
var joinRules = []joinRule{
	{"break prior", weighBreakPrior, nil},
	{"scheme only", weighSchemeOnly, say("break right after the scheme")},
	{"host unfinished", weighHostUnfinished, whyHostUnfinished},
	{"spaced host", weighSpacedHost, whySpacedHost},
	{"host without tld", weighHostNoTLD, whyHostNoTLD},
	{"open percent escape", weighPercentOpen, say("percent escape split by the break")},
	{"open query", weighQueryOpen, whyLeftCannotEnd},
	{"hyphen at break", weighHyphenAtBreak, say("URL rarely ends with '-'")},
	{"invisible break mark", weighInvisibleBreak, whyInvisibleBreak},
	{"open end", weighOpenEnd, whyLeftCannotEnd},
	{"slash end", weighSlashEnd, nil},
	{"dot end", weighDotEnd, whyDotEnd},
	{"prose punctuation end", weighProsePunctEnd, whyProsePunctEnd},
	{"file extension end", weighFileExtEnd, whyFileExtEnd},
	{"link target", weighLinkTarget, whyLinkTarget},
	{"nested url", weighNestedURL, say("nested URL after a query parameter or web-archive prefix")},
	{"new url", weighNewURL, say("next token starts a URL of its own")},
	{"other scheme or address", weighOtherScheme, say("next token is a mail address or a non-web URI")},
	{"number split", weighNumberSplit, say("digits continue a number split by the break")},
	{"page number", weighPageNumber, whyPageNumber},
	{"url-only start", weighURLOnlyStart, whyURLOnlyStart},
	{"path characters", weighPathChars, whyPathChars},
	{"id shape", weighIDShape, whyIDShape},
	{"slug shape", weighSlugShape, whySlugShape},
	{"file extension", weighContFileExt, whyContFileExt},
	{"prose word", weighProseWord, whyProseWord},
	{"capitalised word", weighCapitalised, whyCapitalised},
	{"prose line", weighProseLine, say("the next line reads as prose")},
	{"lone token", weighLoneToken, whyLoneToken},
	{"unknown word", weighUnknownWord, whyUnknownWord},
	{"title completes", weighTitleCompletes, whyTitleCompletes},
	{"title words", weighTitleWords, whyTitleWords},
	{"dictionary completes", weighDictCompletes, whyDictCompletes},
	{"date completes", weighDateCompletes, whyDateCompletes},
	{"line fill", weighLineFill, whyLineFill},
	{"date in path", weighDateInPath, whyDateInPath},
	{"space wrap at line end", weighSpaceAtLineEnd, say("the token after the space ends the line: the space may be a lost wrap")},
}

const nestedRule = 15 // index of "nested url" in joinRules

// nonWebSchemes start tokens that are URIs of their own but never part of
// a web URL's path: a line "mailto:…" after a URL is a new reference.
var nonWebSchemes = []string{"mailto:", "tel:", "sms:", "javascript:", "data:", "file:", "ftp:", "news:", "irc:", "magnet:", "urn:", "doi:", "xmpp:", "geo:"}

// weighOtherScheme argues against joining a mail address or a non-web URI
// to the URL before it; "?to=" style nested values are left to the nested
// rule.
func weighOtherScheme(jc *joinCase) float64 {
	c := lowerASCII(jc.core)
	if c == "" {
		return 0
	}
	for _, p := range nonWebSchemes {
		if strings.HasPrefix(c, p) && len(c) > len(p) {
			return -12
		}
	}
	if at := strings.IndexByte(c, '@'); at > 0 && !strings.ContainsAny(c, "/?#=") && strings.Contains(c[at:], ".") {
		return -12 // someone@example.org
	}
	return 0
}

func say(s string) func(*joinCase) string { return func(*joinCase) string { return s } }

// joinVerdict is the outcome of the rules for one break.
type joinVerdict struct {
	join    bool
	score   float64
	reasons []string
	nested  bool
}

func (e *extractor) decideJoin(jc *joinCase) joinVerdict {
	var v joinVerdict
	if !hasAlnum(jc.core) {
		v.score = -20
		return v
	}
	ws := e.weights[:0]
	for _, r := range joinRules {
		w := r.weigh(jc)
		ws = append(ws, w)
		v.score += w
	}
	e.weights = ws
	v.join = v.score > 0
	v.nested = ws[nestedRule] > 0
	if v.join || v.score > -altBand/2 {
		for i, r := range joinRules {
			if ws[i] != 0 && r.why != nil {
				v.reasons = append(v.reasons, r.why(jc))
			}
		}
	}
	return v
}

// confidenceOf maps a rule total to the probability that the decision taken
// is right.
func confidenceOf(score float64) float64 {
	return 1 / (1 + math.Exp(-0.7*math.Abs(score)))
}

func weighBreakPrior(jc *joinCase) float64 {
	switch {
	case jc.br.newline:
		return -1 // many URLs simply end at a line end
	case jc.br.spaces == 1:
		return -3 // a URL followed by a space usually ends there
	}
	return -6
}

// A URL cannot stop right after "https://": the host is on the next line.
func weighSchemeOnly(jc *joinCase) float64 {
	if !jc.b.schemeOnly() {
		return 0
	}
	if looksLikeHostStart(jc.core) {
		return 10
	}
	return -20
}

func looksLikeHostStart(s string) bool {
	dot := strings.IndexByte(s, '.')
	return len(s) > 0 && isAlnum(s[0]) && dot > 0 && dot+1 < len(s) && isAlnum(s[dot+1])
}

// A host name that ends in '.' or '-' is not finished.
func weighHostUnfinished(jc *joinCase) float64 {
	if !jc.b.inHost() || jc.b.schemeOnly() || !isAlnum(jc.core[0]) {
		return 0
	}
	if h := jc.b.host(); h != "" && (h[len(h)-1] == '.' || h[len(h)-1] == '-') && !hostComplete(h[:len(h)-1]) {
		return 5
	}
	return 0
}

// hostComplete reports whether h is a whole host name ending in a known TLD;
// a '.' after it is then the sentence's ("see www.example.com. Then").
func hostComplete(h string) bool {
	name := hostname(h)
	return validHost(h, true) && knownTLD(lowerASCII(name[strings.LastIndexByte(name, '.')+1:]))
}

func whyHostUnfinished(jc *joinCase) string {
	return fmt.Sprintf("host name %q is unfinished", jc.b.host())
}

// "www.cisco .com /c/en/…": spaces around the dots of a host (a defanging
// habit, and PDF text) when the tokens rebuild a valid host name.
func weighSpacedHost(jc *joinCase) float64 {
	if !jc.b.inHost() || jc.b.schemeOnly() {
		return 0
	}
	switch jc.core[0] {
	case '.':
		if rebuilt := spacedHost(jc); !hostComplete(jc.b.host()) && hostComplete(rebuilt) {
			return 7
		}
	case '/':
		if h := jc.b.host(); validHost(h, true) && hasTLDShape(h) && jc.br.spaces == 1 {
			return 2
		}
	}
	return 0
}

// spacedHost is the host rebuilt from the URL so far and a ".label" token.
func spacedHost(jc *joinCase) string {
	label := jc.core[1:]
	if k := strings.IndexAny(label, "/?#:"); k >= 0 {
		label = label[:k]
	}
	return jc.b.host() + "." + label
}

func whySpacedHost(jc *joinCase) string {
	if jc.core[0] == '.' {
		return fmt.Sprintf("spaced host rebuilds %q", spacedHost(jc))
	}
	return fmt.Sprintf("path follows spaced host %q", jc.b.host())
}

// "https://www.foundationfor" + "freedomonline.com/…": the host so far has
// no real TLD and the continuation completes one.
func weighHostNoTLD(jc *joinCase) float64 {
	if hostNeedsMore(jc.b) && hostCompletedBy(jc) != "" {
		return 6
	}
	return 0
}

// hostNeedsMore reports whether the URL is still in its host and the host
// cannot be finished: it ends in '.' or '-' or its last label is no TLD.
func hostNeedsMore(b *urlBuilder) bool {
	if !b.inHost() || b.schemeOnly() {
		return false
	}
	h := b.host()
	if h == "" || h[len(h)-1] == '-' {
		return true
	}
	if strings.IndexByte(h, ':') >= 0 {
		return false // a port follows the host name: it was finished
	}
	return !hostComplete(strings.TrimSuffix(h, "."))
}

// hostCompletedBy returns the host rebuilt with the continuation when that
// host ends in a known TLD.
func hostCompletedBy(jc *joinCase) string {
	c := jc.core
	if !isAlnum(c[0]) {
		return ""
	}
	if k := strings.IndexAny(c, "/?#:"); k >= 0 {
		c = c[:k]
	}
	if h := jc.b.host() + c; hostComplete(h) {
		return h
	}
	return ""
}

func whyHostNoTLD(jc *joinCase) string {
	return fmt.Sprintf("host %q has no TLD yet; joined it is %q", jc.b.host(), hostCompletedBy(jc))
}

// "%D8%A" + "7…": a percent escape cut in two.
func weighPercentOpen(jc *joinCase) float64 {
	l := jc.left
	open := strings.HasSuffix(l, "%") || len(l) >= 2 && l[len(l)-2] == '%' && isHex(l[len(l)-1])
	if open && isHex(jc.core[0]) {
		return 8
	}
	return 0
}

// A URL does not end with '=', '&' or '?': the value is on the next line.
func weighQueryOpen(jc *joinCase) float64 {
	switch jc.leftLast() {
	case '=', '&':
		return 3.5
	case '?':
		return 2
	}
	return 0
}

func whyLeftCannotEnd(jc *joinCase) string {
	return fmt.Sprintf("URL cannot end with %q", jc.leftLast())
}

func weighHyphenAtBreak(jc *joinCase) float64 {
	if jc.leftLast() == '-' && !jc.b.inHost() {
		return 3
	}
	return 0
}

// A soft hyphen or zero-width space marks where a line could be broken.
func weighInvisibleBreak(jc *joinCase) float64 {
	switch {
	case jc.b.softBreak:
		return 8
	case jc.b.zwBreak:
		return 2.5
	}
	return 0
}

func whyInvisibleBreak(jc *joinCase) string {
	if jc.b.softBreak {
		return "soft hyphen marks a hyphenation point"
	}
	return "zero-width character marks a break opportunity"
}

func weighOpenEnd(jc *joinCase) float64 {
	switch jc.leftLast() {
	case '_', '~', '+', '(', '#':
		return 2
	}
	return 0
}

func weighSlashEnd(jc *joinCase) float64 {
	if jc.leftLast() == '/' && !jc.b.schemeOnly() {
		return 0.5
	}
	return 0
}

// A final '.' is a sentence's unless what follows is a file extension.
func weighDotEnd(jc *joinCase) float64 {
	if jc.leftLast() != '.' || jc.b.inHost() {
		return 0
	}
	if dotEndExt(jc) != "" {
		return 3
	}
	return -1.5
}

func dotEndExt(jc *joinCase) string {
	head := jc.core
	if k := strings.IndexAny(head, "?#/"); k >= 0 {
		head = head[:k]
	}
	if len(head) <= 5 && isLowerWord(head) && fileExts[head] {
		return head
	}
	return ""
}

func whyDotEnd(jc *joinCase) string {
	if ext := dotEndExt(jc); ext != "" {
		return fmt.Sprintf("%q completes a file extension", ext)
	}
	return "a final '.' usually ends the sentence"
}

func weighProsePunctEnd(jc *joinCase) float64 {
	switch jc.leftLast() {
	case ',', ';', '!', ':', '\'', '*':
		return -3
	case ')':
		if unbalanced(jc.left, '(', ')') {
			return -3
		}
	}
	return 0
}

func whyProsePunctEnd(jc *joinCase) string {
	return fmt.Sprintf("URL ends with prose punctuation %q", jc.leftLast())
}

// "….html" at a line end is a finished URL unless a query or fragment follows.
func weighFileExtEnd(jc *joinCase) float64 {
	if jc.b.inHost() || fileExtOf(jc.left[jc.b.pathStart:]) == "" || strings.IndexByte("?#&", jc.core[0]) >= 0 {
		return 0
	}
	return -2.5
}

func whyFileExtEnd(jc *joinCase) string {
	return fmt.Sprintf("URL already ends in .%s", fileExtOf(jc.left[jc.b.pathStart:]))
}

// Inside a Markdown link target "](…)" or an autolink "<…>" a wrap is always
// a join: the target cannot hold a line break.
func weighLinkTarget(jc *joinCase) float64 {
	if !jc.br.newline || jc.b.start < 1 {
		return 0
	}
	s, st := jc.e.s, jc.b.start
	switch {
	case s[st-1] == '<':
		return 8
	case s[st-1] == '(' && st >= 2 && s[st-2] == ']' && !unbalanced(jc.left, '(', ')'):
		return 8
	}
	return 0
}

func whyLinkTarget(jc *joinCase) string {
	if jc.e.s[jc.b.start-1] == '<' {
		return "break inside a <…> autolink"
	}
	return "break inside a Markdown link target"
}

// "…?url=" or a Wayback "/web/20200101000000/" at a line end, then a line
// starting with "https://": one URL nested in another.
func weighNestedURL(jc *joinCase) float64 {
	if !jc.newURL || jc.b.inHost() {
		return 0
	}
	if c := jc.leftLast(); c == '=' || c == '?' || waybackPrefix(jc.left) {
		return 12
	}
	return 0
}

// waybackPrefix reports whether u ends with "/web/<timestamp>[flags]/".
func waybackPrefix(u string) bool {
	if !strings.HasSuffix(u, "/") {
		return false
	}
	k := strings.LastIndex(u[:len(u)-1], "/web/")
	if k < 0 {
		return false
	}
	stamp := u[k+5 : len(u)-1]
	digits := 0
	for digits < len(stamp) && isDigit(stamp[digits]) {
		digits++
	}
	if digits < 4 || digits > 14 {
		return stamp == "*"
	}
	flags := stamp[digits:]
	for i := 0; i < len(flags); i++ {
		if !isLower(flags[i]) && flags[i] != '_' {
			return false
		}
	}
	return len(flags) <= 3
}

func weighNewURL(jc *joinCase) float64 {
	if jc.newURL && !jc.b.schemeOnly() && !hostNeedsMore(jc.b) {
		return -12
	}
	return 0
}

// "…/tahrirnews/335" + "3653": digits on both sides of the break.
func weighNumberSplit(jc *joinCase) float64 {
	if isDigit(jc.leftLast()) && allDigits(trimExt(jc.core)) {
		return 1
	}
	return 0
}

// trimExt drops a known file extension: "9749940.html" → "9749940".
func trimExt(s string) string {
	if ext := fileExtOf(s); ext != "" {
		return s[:len(s)-len(ext)-1]
	}
	return s
}

// A short number alone on the next line is a page or footnote number.
func weighPageNumber(jc *joinCase) float64 {
	if !jc.br.newline || jc.rest != "" || !allDigits(jc.core) || len(jc.core) > 4 {
		return 0
	}
	switch c := jc.leftLast(); {
	case c == '-' || c == '=' || c == '%' || c == '_' || isDigit(c):
		return 0
	}
	return -4
}

func whyPageNumber(jc *joinCase) string {
	return fmt.Sprintf("lone number %q on its own line reads as a page number", jc.core)
}

func weighURLOnlyStart(jc *joinCase) float64 {
	c := jc.core[0]
	switch {
	case c == '/' && jc.leftLast() == '/':
		return -2 // "…/" + "/etc/hosts" would double the slash
	case c == '#' && !jc.br.newline && isLetterWord(jc.core[1:]):
		return 1.5 // "#word" after a space is as likely a hashtag
	case c == '/' && !jc.br.newline && jc.leftLast() != '/':
		return 3.5
	case strings.IndexByte("/?#&=%_~", c) >= 0:
		return 3.5
	case c == '.' && !jc.b.inHost() && fileExtOf(jc.core) == lowerASCII(jc.core[1:]):
		return 3.5 // ".html" alone: the extension of the line above
	case c == '.' && !jc.b.inHost() && len(jc.core) > 1 && isAlnum(jc.core[1]):
		return 2
	}
	return 0
}

func whyURLOnlyStart(jc *joinCase) string {
	if weighURLOnlyStart(jc) < 0 {
		return "joining would double the '/'"
	}
	return fmt.Sprintf("continuation starts with %q", jc.core[0])
}

// slashWords are prose tokens with a slash that are not URL paths.
var slashWords = setOf(`and/or either/or he/she his/her him/her s/he yes/no on/off input/output read/write w/o`)

func weighPathChars(jc *joinCase) float64 {
	c := jc.core
	if strings.IndexByte(c, '/') > 0 && slashWords[strings.ToLower(c)] {
		return -2
	}
	slashes, segs := 0, 0
	for i := 0; i < len(c); i++ {
		if c[i] == '/' {
			slashes++
		} else if i == 0 || c[i-1] == '/' {
			segs++
		}
	}
	inner := c[1:]
	switch {
	case slashes >= 2 && segs >= 2:
		return 4
	case strings.ContainsAny(inner, "/=&%#_~"),
		strings.IndexByte(inner, '?') >= 0 && inner[len(inner)-1] != '?':
		return 3
	}
	return 0
}

func whyPathChars(jc *joinCase) string {
	if w := weighPathChars(jc); w < 0 {
		return fmt.Sprintf("%q is prose", jc.core)
	} else if w == 4 {
		return fmt.Sprintf("continuation %q is a path", clip(jc.core))
	}
	return fmt.Sprintf("continuation %q contains URL-only characters", clip(jc.core))
}

// IDs: letters mixed with digits ("e-a39862", "200B", "L335"), long numbers.
func weighIDShape(jc *joinCase) float64 {
	c := trimExt(jc.core)
	digits, letters, hyphen := 0, 0, false
	for i := 0; i < len(c); i++ {
		switch {
		case isDigit(c[i]):
			digits++
		case isLetter(c[i]):
			letters++
		case c[i] == '-':
			hyphen = true
		}
	}
	if digits > 0 && (letters > 0 || hyphen) || digits >= 5 {
		return 2
	}
	return 0
}

func whyIDShape(jc *joinCase) string {
	return fmt.Sprintf("continuation %q has slug/ID shape (digits in it)", clip(jc.core))
}

// Slugs: lowercase words joined by hyphens, "fort-with-us-to-fight".
func weighSlugShape(jc *joinCase) float64 {
	parts := slugParts(strings.TrimRight(jc.core, "/-"))
	switch {
	case parts >= 4:
		return 2.5
	case parts >= 2 && (jc.br.newline || jc.rest == ""):
		return 1.5
	case parts >= 2:
		return 0.5
	}
	return 0
}

// slugParts counts the hyphen-joined lowercase alphanumeric words of c, or
// returns 0 when c is not of that shape.
func slugParts(c string) int {
	parts, n := 1, 0
	for i := 0; i < len(c); i++ {
		switch ch := c[i]; {
		case ch == '-':
			if n == 0 {
				return 0
			}
			parts, n = parts+1, 0
		case isLower(ch) || isDigit(ch):
			n++
		default:
			return 0
		}
	}
	if n == 0 || parts < 2 || !hasLetter(c) {
		return 0
	}
	return parts
}

func whySlugShape(jc *joinCase) string {
	if slugParts(strings.TrimRight(jc.core, "/-")) >= 4 {
		return fmt.Sprintf("continuation %q is a long slug", clip(jc.core))
	}
	return fmt.Sprintf("continuation %q is words joined by hyphens", clip(jc.core))
}

func weighContFileExt(jc *joinCase) float64 {
	if ext := fileExtOf(jc.core); ext != "" && len(jc.core) > len(ext)+1 {
		return 2
	}
	return 0
}

func whyContFileExt(jc *joinCase) string {
	return fmt.Sprintf("continuation ends in .%s", fileExtOf(jc.core))
}

func weighProseWord(jc *joinCase) float64 {
	if jc.plainWord() && len(jc.core) <= 12 && isProseWord(lowerASCII(jc.core)) {
		return -3
	}
	return 0
}

func whyProseWord(jc *joinCase) string { return fmt.Sprintf("%q reads as prose", jc.core) }

// lowerASCII lowercases s, allocating only when it has upper-case letters.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if isUpper(s[i]) {
			return strings.ToLower(s)
		}
	}
	return s
}

// A capitalised word ("The", "CISA") begins a sentence, not a path segment;
// mixed case ("PXEThief") does not say that.
func weighCapitalised(jc *joinCase) float64 {
	if !jc.plainWord() {
		return 0
	}
	r, n := utf8.DecodeRuneInString(jc.core)
	if !unicode.IsUpper(r) {
		return 0
	}
	upper, lower := 0, 0
	for _, r := range jc.core[n:] {
		if unicode.IsUpper(r) {
			upper++
		} else {
			lower++
		}
	}
	if upper == 0 || lower == 0 {
		return -2.5
	}
	return 0
}

func whyCapitalised(jc *joinCase) string {
	return fmt.Sprintf("capitalised word %q starts a sentence", jc.core)
}

// More words after a plain-word continuation: the next line is prose.
func weighProseLine(jc *joinCase) float64 {
	if closesSentence(jc) {
		return 0 // the rest is the next sentence, not this token's
	}
	words, inWord := 0, false
	for _, r := range jc.rest {
		switch {
		case r == ' ' || r == '\t':
			inWord = false
		case !inWord:
			inWord = true
			if unicode.IsLetter(r) {
				words++
			}
		}
	}
	switch {
	case words < 2:
		return 0
	case jc.plainWord():
		return -1.5
	case !hasLetter(jc.core):
		return -1.75 // a number or date followed by prose: a dateline, a count
	}
	return -0.75 // a wrapped URL tail can be followed by prose; weaker
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if isLetter(s[i]) {
			return true
		}
	}
	return false
}

// "…/htg602/\nhistory." — one word alone on its line that closes the sentence
// is ungrammatical as prose after a URL; a wrapped path tail looks like that.
func weighLoneToken(jc *joinCase) float64 {
	switch {
	case !jc.br.newline:
		return 0
	case closesSentence(jc):
		return 1
	case jc.rest == "":
		return 0.5
	}
	return 0
}

// closesSentence reports whether the continuation is one token that ends the
// sentence ("history.") with nothing after it on the line but the start of
// the next sentence.
func closesSentence(jc *joinCase) bool {
	if !strings.ContainsAny(jc.tail, ".),;!?") {
		return false
	}
	if jc.rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(jc.rest)
	return strings.ContainsAny(jc.tail, ".!?") && unicode.IsUpper(r)
}

func whyLoneToken(jc *joinCase) string {
	if closesSentence(jc) {
		return fmt.Sprintf("%q alone closes the sentence after the URL", jc.cont)
	}
	return fmt.Sprintf("%q stands alone on its line", jc.cont)
}

func weighUnknownWord(jc *joinCase) float64 {
	w := jc.core
	if len(w) >= 3 && len(w) <= 24 && isLetterWord(w) && !isWord(lowerASCII(w)) {
		return 0.5
	}
	return 0
}

func isLetterWord(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isLetter(w[i]) {
			return false
		}
	}
	return w != ""
}

func whyUnknownWord(jc *joinCase) string {
	return fmt.Sprintf("%q is not an English word", jc.core)
}

// "…-islamic-stat" + "e-a39862": joining completes a word of the title.
func weighTitleCompletes(jc *joinCase) float64 {
	if _, ok := titleCompletion(jc); ok {
		return 3
	}
	return 0
}

func titleCompletion(jc *joinCase) (string, bool) {
	if jc.e.evi.ev.Title == "" {
		return "", false
	}
	l, c := jc.leftTail(), jc.contHead()
	if l == "" || c == "" {
		return "", false
	}
	if _, ok := jc.e.evi.titleWord(l); ok {
		return "", false
	}
	return jc.e.evi.titleWord(l + c)
}

func whyTitleCompletes(jc *joinCase) string {
	t, _ := titleCompletion(jc)
	return fmt.Sprintf("joining completes title word %q", t)
}

// The continuation's words are mostly the title's: a title-derived slug.
func weighTitleWords(jc *joinCase) float64 {
	if n, hit := titleWordHits(jc); n >= 2 && hit*10 >= n*6 {
		return 2.5
	}
	return 0
}

func titleWordHits(jc *joinCase) (n, hit int) {
	if jc.e.evi.ev.Title == "" {
		return 0, 0
	}
	c := jc.core
	for i := 0; i < len(c); {
		j := i
		for j < len(c) && isAlnum(c[j]) {
			j++
		}
		if w := c[i:j]; w != "" && !allDigits(w) {
			n++
			if _, ok := jc.e.evi.titleWord(lowerASCII(w)); ok {
				hit++
			}
		}
		i = j + 1
	}
	return n, hit
}

func whyTitleWords(jc *joinCase) string {
	n, hit := titleWordHits(jc)
	return fmt.Sprintf("%d of %d continuation words are in the title", hit, n)
}

func weighDictCompletes(jc *joinCase) float64 {
	l, c := jc.leftTail(), jc.contHead()
	if len(l) < 2 || c == "" || len(l)+len(c) > 24 || isWord(l) || !isWord(l+c) {
		return 0
	}
	if _, ok := titleCompletion(jc); ok {
		return 0 // already counted as a title word
	}
	return 1
}

func whyDictCompletes(jc *joinCase) string {
	return fmt.Sprintf("joining completes the word %q", jc.leftTail()+jc.contHead())
}

func weighDateCompletes(jc *joinCase) float64 {
	if dateCompletion(jc) != "" {
		return 3
	}
	return 0
}

// dateCompletion returns the date form that only the joined URL contains.
func dateCompletion(jc *joinCase) string {
	if jc.e.evi.ev.Date == "" || !isDigit(jc.core[0]) || jc.e.evi.containsDate(jc.left) != "" {
		return ""
	}
	tail := jc.left[max(0, len(jc.left)-10):]
	return jc.e.evi.containsDate(tail + jc.core[:min(len(jc.core), 10)])
}

func whyDateCompletes(jc *joinCase) string {
	return fmt.Sprintf("joining completes the document date %s", dateCompletion(jc))
}

func weighSpaceAtLineEnd(jc *joinCase) float64 {
	if !jc.br.newline && jc.br.spaces == 1 && jc.rest == "" {
		return 1
	}
	return 0
}

// A path that carries the document's own date ("/2014/09/29/") is the
// document's URL, so what the title says about it counts for more.
func weighDateInPath(jc *joinCase) float64 {
	if jc.e.evi.ev.Date == "" || jc.e.evi.containsDate(jc.left) == "" {
		return 0
	}
	if _, ok := titleCompletion(jc); ok {
		return 1
	}
	if n, hit := titleWordHits(jc); n >= 2 && hit*10 >= n*6 {
		return 1
	}
	return 0
}

func whyDateInPath(jc *joinCase) string {
	return fmt.Sprintf("path carries the document date %s, so the title applies", jc.e.evi.containsDate(jc.left))
}

// Line fill: a break on a line that reached the text's wrap width is more
// likely a wrap than one on a line that ended early.
func weighLineFill(jc *joinCase) float64 {
	if !jc.br.newline {
		return 0
	}
	w := jc.e.evi.wrapWidth()
	if w == 0 {
		return 0
	}
	l := jc.breakLineLen
	switch {
	case l*10 >= w*9:
		return 1.2
	case l*10 < w*6:
		return -0.8
	}
	return 0
}

func whyLineFill(jc *joinCase) string {
	w := jc.e.evi.wrapWidth()
	l := jc.breakLineLen
	line := jc.e.lineAt(jc.br.at)
	if l*10 >= w*9 {
		return fmt.Sprintf("line %d reached wrap width %d", line, w)
	}
	return fmt.Sprintf("line %d ended early (%d of %d)", line, l, w)
}

func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 37
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "..."
}
