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
	return j == len(s) || s[j] == ' ' || s[j] == '\n' || s[j] == ',' || s[j] == '.' || s[j] == ';' || s[j] == ':'
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

	breakLine string // the text of the line the break ends (newline breaks)
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
	t.sawAt = b.sawAt
	jc.contEnd = t.scanRun(s, br.contStart)
	jc.cont = string(t.out)
	cut := trailingTrim([]byte(jc.left+jc.cont), len(jc.left), opener)
	jc.core, jc.tail = jc.cont[:len(jc.cont)-cut], jc.cont[len(jc.cont)-cut:]
	restEnd := min(len(s), jc.contEnd+200)
	if nl := strings.IndexByte(s[jc.contEnd:restEnd], '\n'); nl >= 0 {
		restEnd = jc.contEnd + nl
	}
	jc.rest = strings.TrimSpace(s[jc.contEnd:restEnd])
	jc.newURL = startsURL(s, br.contStart, jc.contEnd)
	if br.newline {
		ls := strings.LastIndexByte(s[:br.at], '\n') + 1
		jc.breakLine = s[ls:br.at]
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

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// fileExtOf returns the extension ending s ("html" in "…/a.html"), if it is a
// known file extension.
func fileExtOf(s string) string {
	dot := strings.LastIndexByte(s, '.')
	if dot < 0 || strings.IndexByte(s[dot:], '/') >= 0 || len(s)-dot > 6 {
		return ""
	}
	ext := strings.ToLower(s[dot+1:])
	if fileExts[ext] {
		return ext
	}
	return ""
}

// joinRule is one named piece of evidence about a break. A positive weight
// argues for joining, a negative one for ending the URL; the reason says why
// in words a person can check.
type joinRule struct {
	name string
	fn   func(*joinCase) (float64, string)
}

// joinRules are summed; the URL goes on when the total is positive. Weights
// are rough log-odds: ±1 is a hint, ±3 is strong, ±8 settles it.
var joinRules = []joinRule{
	{"break prior", ruleBreakPrior},
	{"scheme only", ruleSchemeOnly},
	{"host unfinished", ruleHostUnfinished},
	{"spaced host", ruleSpacedHost},
	{"open percent escape", rulePercentOpen},
	{"open query", ruleQueryOpen},
	{"hyphen at break", ruleHyphenAtBreak},
	{"invisible break mark", ruleInvisibleBreak},
	{"open end", ruleOpenEnd},
	{"slash end", ruleSlashEnd},
	{"dot end", ruleDotEnd},
	{"prose punctuation end", ruleProsePunctEnd},
	{"file extension end", ruleFileExtEnd},
	{"link target", ruleLinkTarget},
	{"nested url", ruleNestedURL},
	{"new url", ruleNewURL},
	{"number split", ruleNumberSplit},
	{"page number", rulePageNumber},
	{"url-only start", ruleURLOnlyStart},
	{"path characters", rulePathChars},
	{"id shape", ruleIDShape},
	{"slug shape", ruleSlugShape},
	{"file extension", ruleContFileExt},
	{"prose word", ruleProseWord},
	{"capitalised word", ruleCapitalised},
	{"prose line", ruleProseLine},
	{"lone token", ruleLoneToken},
	{"unknown word", ruleUnknownWord},
	{"title completes", ruleTitleCompletes},
	{"title words", ruleTitleWords},
	{"dictionary completes", ruleDictCompletes},
	{"date completes", ruleDateCompletes},
	{"line fill", ruleLineFill},
}

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
	for _, r := range joinRules {
		w, why := r.fn(jc)
		if w == 0 {
			continue
		}
		v.score += w
		if why != "" {
			v.reasons = append(v.reasons, why)
		}
		if r.name == "nested url" && w > 0 {
			v.nested = true
		}
	}
	v.join = v.score > 0
	return v
}

// confidenceOf maps a rule total to the probability that the decision taken
// is right.
func confidenceOf(score float64) float64 {
	return 1 / (1 + math.Exp(-0.7*math.Abs(score)))
}

func ruleBreakPrior(jc *joinCase) (float64, string) {
	switch {
	case jc.br.newline:
		return -1, "" // many URLs simply end at a line end
	case jc.br.spaces == 1:
		return -3, "" // a URL followed by a space usually ends there
	}
	return -6, ""
}

// A URL cannot stop right after "https://": the host is on the next line.
func ruleSchemeOnly(jc *joinCase) (float64, string) {
	if !jc.b.schemeOnly() {
		return 0, ""
	}
	if looksLikeHostStart(jc.core) {
		return 10, "break right after the scheme"
	}
	return -20, ""
}

func looksLikeHostStart(s string) bool {
	dot := strings.IndexByte(s, '.')
	return len(s) > 0 && isAlnum(s[0]) && dot > 0 && dot+1 < len(s) && isAlnum(s[dot+1])
}

// A host name that ends in '.' or '-' is not finished.
func ruleHostUnfinished(jc *joinCase) (float64, string) {
	if !jc.b.inHost() || jc.b.schemeOnly() {
		return 0, ""
	}
	h := jc.b.host()
	if h == "" || !isAlnum(jc.core[0]) {
		return 0, ""
	}
	if last := h[len(h)-1]; last == '.' || last == '-' {
		return 5, fmt.Sprintf("host name %q is unfinished", h)
	}
	return 0, ""
}

// "www.cisco .com /c/en/…": spaces around the dots of a host (a defanging
// habit, and PDF text) when the tokens rebuild a valid host name.
func ruleSpacedHost(jc *joinCase) (float64, string) {
	if !jc.b.inHost() || jc.b.schemeOnly() {
		return 0, ""
	}
	h := jc.b.host()
	switch jc.core[0] {
	case '.':
		label := jc.core[1:]
		if k := strings.IndexAny(label, "/?#:"); k >= 0 {
			label = label[:k]
		}
		rebuilt := h + "." + label
		if validHost(rebuilt, true) && hasTLDShape(rebuilt) {
			return 7, fmt.Sprintf("spaced host rebuilds %q", rebuilt)
		}
	case '/':
		if validHost(h, true) && hasTLDShape(h) && jc.br.spaces == 1 {
			return 2, fmt.Sprintf("path follows spaced host %q", h)
		}
	}
	return 0, ""
}

// "%D8%A" + "7…": a percent escape cut in two.
func rulePercentOpen(jc *joinCase) (float64, string) {
	l := jc.left
	open := strings.HasSuffix(l, "%") || len(l) >= 2 && l[len(l)-2] == '%' && isHex(l[len(l)-1])
	if open && isHex(jc.core[0]) {
		return 8, "percent escape split by the break"
	}
	return 0, ""
}

// A URL does not end with '=', '&' or '?': the value is on the next line.
func ruleQueryOpen(jc *joinCase) (float64, string) {
	switch c := jc.leftLast(); c {
	case '=', '&':
		return 3.5, fmt.Sprintf("URL cannot end with %q", c)
	case '?':
		return 2, "URL cannot end with '?'"
	}
	return 0, ""
}

func ruleHyphenAtBreak(jc *joinCase) (float64, string) {
	if jc.leftLast() == '-' && !jc.b.inHost() {
		return 3, "URL rarely ends with '-'"
	}
	return 0, ""
}

// A soft hyphen or zero-width space marks where a line could be broken.
func ruleInvisibleBreak(jc *joinCase) (float64, string) {
	switch {
	case jc.b.softBreak:
		return 8, "soft hyphen marks a hyphenation point"
	case jc.b.zwBreak:
		return 2.5, "zero-width character marks a break opportunity"
	}
	return 0, ""
}

func ruleOpenEnd(jc *joinCase) (float64, string) {
	switch c := jc.leftLast(); c {
	case '_', '~', '+', '(', '#':
		return 2, fmt.Sprintf("URL cannot end with %q", c)
	}
	return 0, ""
}

func ruleSlashEnd(jc *joinCase) (float64, string) {
	if jc.leftLast() == '/' && !jc.b.schemeOnly() {
		return 0.5, ""
	}
	return 0, ""
}

// A final '.' is a sentence's unless what follows is an extension or label.
func ruleDotEnd(jc *joinCase) (float64, string) {
	if jc.leftLast() != '.' || jc.b.inHost() {
		return 0, ""
	}
	head := jc.core
	if k := strings.IndexAny(head, "?#/"); k >= 0 {
		head = head[:k]
	}
	if len(head) <= 5 && isLowerWord(head) && fileExts[head] {
		return 3, fmt.Sprintf("%q completes a file extension", head)
	}
	return -1.5, "a final '.' usually ends the sentence"
}

func ruleProsePunctEnd(jc *joinCase) (float64, string) {
	c := jc.leftLast()
	switch c {
	case ',', ';', '!', ':', '\'', '*':
	case ')':
		if !unbalanced([]byte(jc.left), '(', ')') {
			return 0, ""
		}
	default:
		return 0, ""
	}
	return -3, fmt.Sprintf("URL ends with prose punctuation %q", c)
}

// "….html" at a line end is a finished URL unless a query or fragment follows.
func ruleFileExtEnd(jc *joinCase) (float64, string) {
	if jc.b.inHost() {
		return 0, ""
	}
	ext := fileExtOf(jc.left[jc.b.pathStart:])
	if ext == "" || strings.IndexByte("?#&", jc.core[0]) >= 0 {
		return 0, ""
	}
	return -2.5, fmt.Sprintf("URL already ends in .%s", ext)
}

// Inside a Markdown link target "](…)" or an autolink "<…>" a wrap is always
// a join: the target cannot hold a line break.
func ruleLinkTarget(jc *joinCase) (float64, string) {
	if !jc.br.newline || jc.b.start < 1 {
		return 0, ""
	}
	s, st := jc.e.s, jc.b.start
	switch {
	case s[st-1] == '<':
		return 8, "break inside a <…> autolink"
	case s[st-1] == '(' && st >= 2 && s[st-2] == ']':
		if !unbalanced([]byte(jc.left), '(', ')') {
			return 8, "break inside a Markdown link target"
		}
	}
	return 0, ""
}

// "…?url=" or a Wayback "/web/20200101000000/" at a line end, then a line
// starting with "https://": one URL nested in another.
func ruleNestedURL(jc *joinCase) (float64, string) {
	if !jc.newURL || jc.b.inHost() {
		return 0, ""
	}
	if c := jc.leftLast(); c == '=' || c == '?' {
		return 12, "nested URL after '" + string(c) + "'"
	}
	if waybackPrefix(jc.left) {
		return 12, "nested URL after a web-archive prefix"
	}
	return 0, ""
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

func ruleNewURL(jc *joinCase) (float64, string) {
	if jc.newURL && !jc.b.schemeOnly() {
		return -12, "next token starts a URL of its own"
	}
	return 0, ""
}

// "…/tahrirnews/335" + "3653": digits on both sides of the break.
func ruleNumberSplit(jc *joinCase) (float64, string) {
	if isDigit(jc.leftLast()) && allDigits(strings.TrimSuffix(jc.core, "."+fileExtOf(jc.core))) {
		return 1, "digits continue a number split by the break"
	}
	return 0, ""
}

// A short number alone on the next line is a page or footnote number.
func rulePageNumber(jc *joinCase) (float64, string) {
	if !jc.br.newline || jc.rest != "" || !allDigits(jc.core) || len(jc.core) > 4 {
		return 0, ""
	}
	switch jc.leftLast() {
	case '-', '=', '%', '_':
		return 0, ""
	}
	if isDigit(jc.leftLast()) {
		return 0, ""
	}
	return -4, fmt.Sprintf("lone number %q on its own line reads as a page number", jc.core)
}

func ruleURLOnlyStart(jc *joinCase) (float64, string) {
	c := jc.core[0]
	switch {
	case strings.IndexByte("/?#&=%_~", c) >= 0:
		return 3.5, fmt.Sprintf("continuation starts with %q", c)
	case c == '.' && !jc.b.inHost() && len(jc.core) > 1 && isAlnum(jc.core[1]):
		return 2, "continuation starts with '.'"
	}
	return 0, ""
}

// slashWords are prose tokens with a slash that are not URL paths.
var slashWords = setOf(`and/or either/or he/she his/her him/her s/he yes/no on/off input/output read/write w/o`)

func rulePathChars(jc *joinCase) (float64, string) {
	c := jc.core
	if slashWords[strings.ToLower(c)] {
		return -2, fmt.Sprintf("%q is prose", c)
	}
	segs := 0
	for _, p := range strings.Split(c, "/") {
		if p != "" {
			segs++
		}
	}
	inner := c[1:]
	switch {
	case strings.Count(c, "/") >= 2 && segs >= 2:
		return 4, fmt.Sprintf("continuation %q is a path", clip(c))
	case strings.ContainsAny(inner, "/=&%#_~") || strings.IndexByte(inner, '?') >= 0 && inner[len(inner)-1] != '?':
		return 3, fmt.Sprintf("continuation %q contains URL-only characters", clip(c))
	}
	return 0, ""
}

// IDs: letters mixed with digits ("e-a39862", "200B", "L335"), long numbers.
func ruleIDShape(jc *joinCase) (float64, string) {
	c := strings.TrimSuffix(jc.core, "."+fileExtOf(jc.core))
	digits, letters := 0, 0
	for i := 0; i < len(c); i++ {
		switch {
		case isDigit(c[i]):
			digits++
		case isLetter(c[i]):
			letters++
		}
	}
	switch {
	case digits > 0 && letters > 0, digits >= 5, digits > 0 && strings.IndexByte(c, '-') >= 0:
		return 2, fmt.Sprintf("continuation %q has slug/ID shape", clip(jc.core))
	}
	return 0, ""
}

// Slugs: lowercase words joined by hyphens, "fort-with-us-to-fight".
func ruleSlugShape(jc *joinCase) (float64, string) {
	c := strings.TrimRight(jc.core, "/-")
	parts := strings.Split(c, "-")
	if len(parts) < 2 {
		return 0, ""
	}
	for _, p := range parts {
		if p == "" || !isLowerAlnum(p) {
			return 0, ""
		}
	}
	if len(parts) >= 4 {
		return 2.5, fmt.Sprintf("continuation %q is a long slug", clip(jc.core))
	}
	if jc.br.newline || jc.rest == "" {
		return 1.5, fmt.Sprintf("continuation %q has slug shape", clip(jc.core))
	}
	return 0.5, ""
}

func isLowerAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLower(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func ruleContFileExt(jc *joinCase) (float64, string) {
	if ext := fileExtOf(jc.core); ext != "" && len(jc.core) > len(ext)+1 {
		return 2, fmt.Sprintf("continuation ends in .%s", ext)
	}
	return 0, ""
}

func ruleProseWord(jc *joinCase) (float64, string) {
	if jc.plainWord() && isProseWord(strings.ToLower(jc.core)) {
		return -3, fmt.Sprintf("%q reads as prose", jc.core)
	}
	return 0, ""
}

// A capitalised word ("The", "CISA") begins a sentence, not a path segment;
// mixed case ("PXEThief") does not say that.
func ruleCapitalised(jc *joinCase) (float64, string) {
	if !jc.plainWord() {
		return 0, ""
	}
	r, n := utf8.DecodeRuneInString(jc.core)
	if !unicode.IsUpper(r) {
		return 0, ""
	}
	rest := jc.core[n:]
	if rest == strings.ToLower(rest) || rest == strings.ToUpper(rest) {
		return -2.5, fmt.Sprintf("capitalised word %q starts a sentence", jc.core)
	}
	return 0, ""
}

// More words after a plain-word continuation: the next line is prose.
func ruleProseLine(jc *joinCase) (float64, string) {
	if !jc.plainWord() {
		return 0, ""
	}
	words := 0
	for _, w := range strings.Fields(jc.rest) {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsLetter(r) {
			words++
		}
	}
	if words >= 2 {
		return -1.5, "the next line reads as prose"
	}
	return 0, ""
}

// "…/htg602/\nhistory." — one word alone on its line that closes the sentence
// is ungrammatical as prose after a URL; a wrapped path tail looks like that.
func ruleLoneToken(jc *joinCase) (float64, string) {
	if !jc.br.newline || jc.rest != "" {
		return 0, ""
	}
	if strings.ContainsAny(jc.tail, ".),;") {
		return 1, fmt.Sprintf("%q alone on its line closes the sentence", jc.cont)
	}
	return 0.5, ""
}

func ruleUnknownWord(jc *joinCase) (float64, string) {
	w := strings.ToLower(jc.core)
	if len(w) >= 3 && isLowerWord(w) && !isWord(w) {
		return 0.5, fmt.Sprintf("%q is not an English word", jc.core)
	}
	return 0, ""
}

// "…-islamic-stat" + "e-a39862": joining completes a word of the title.
func ruleTitleCompletes(jc *joinCase) (float64, string) {
	l, c := jc.leftTail(), jc.contHead()
	if l == "" || c == "" {
		return 0, ""
	}
	if _, ok := jc.e.evi.titleWord(l); ok {
		return 0, ""
	}
	if t, ok := jc.e.evi.titleWord(l + c); ok {
		return 3, fmt.Sprintf("joining completes title word %q", t)
	}
	return 0, ""
}

// The continuation's words are mostly the title's: a title-derived slug.
func ruleTitleWords(jc *joinCase) (float64, string) {
	if jc.e.evi.ev.Title == "" {
		return 0, ""
	}
	n, hit := 0, 0
	for _, w := range splitWords(jc.core) {
		if allDigits(w) {
			continue
		}
		n++
		if _, ok := jc.e.evi.titleWord(strings.ToLower(w)); ok {
			hit++
		}
	}
	if n >= 2 && hit*10 >= n*6 {
		return 2.5, fmt.Sprintf("%d of %d continuation words are in the title", hit, n)
	}
	return 0, ""
}

func ruleDictCompletes(jc *joinCase) (float64, string) {
	l, c := jc.leftTail(), jc.contHead()
	if len(l) < 2 || c == "" || isWord(l) || !isWord(l+c) {
		return 0, ""
	}
	if _, ok := jc.e.evi.titleWord(l + c); ok {
		return 0, "" // already counted as a title word
	}
	return 1, fmt.Sprintf("joining completes the word %q", l+c)
}

func ruleDateCompletes(jc *joinCase) (float64, string) {
	if jc.e.evi.ev.Date == "" || jc.e.evi.containsDate(jc.left) != "" {
		return 0, ""
	}
	joined := jc.left + jc.core
	if f := jc.e.evi.containsDate(joined); f != "" {
		return 3, fmt.Sprintf("joining completes the document date %s", f)
	}
	return 0, ""
}

// Line fill: a break on a line that reached the text's wrap width is more
// likely a wrap than one on a line that ended early.
func ruleLineFill(jc *joinCase) (float64, string) {
	if !jc.br.newline {
		return 0, ""
	}
	w := jc.e.evi.wrapWidth()
	if w == 0 {
		return 0, ""
	}
	l := len(strings.TrimRight(jc.breakLine, " \t\r"))
	line := jc.e.lineAt(jc.br.at)
	switch {
	case l*10 >= w*9:
		return 1.2, fmt.Sprintf("line %d reached wrap width %d", line, w)
	case l*10 < w*6:
		return -0.8, fmt.Sprintf("line %d ended early (%d of %d)", line, l, w)
	}
	return 0, ""
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
