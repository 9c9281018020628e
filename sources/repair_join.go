package sources

import (
	"math"
	"strings"
	"unicode"
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
	t.parens, t.brackets, t.braces = b.parens, b.brackets, b.braces
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
	// nested marks the rule whose positive weight means the join is of a
	// URL nested in another (reported as its own repair).
	nested bool
}

// joinRules are summed; the URL goes on when the total is positive. Weights
// are rough log-odds: ±1 is a hint, ±3 is strong, ±8 settles it.
var joinRules = []joinRule{
	{name: "break prior", weigh: weighBreakPrior, why: nil},
	{name: "scheme only", weigh: weighSchemeOnly, why: say("break right after the scheme")},
	{name: "host unfinished", weigh: weighHostUnfinished, why: whyHostUnfinished},
	{name: "spaced host", weigh: weighSpacedHost, why: whySpacedHost},
	{name: "host without tld", weigh: weighHostNoTLD, why: whyHostNoTLD},
	{name: "open percent escape", weigh: weighPercentOpen, why: say("percent escape split by the break")},
	{name: "open query", weigh: weighQueryOpen, why: whyLeftCannotEnd},
	{name: "hyphen at break", weigh: weighHyphenAtBreak, why: say("URL rarely ends with '-'")},
	{name: "invisible break mark", weigh: weighInvisibleBreak, why: whyInvisibleBreak},
	{name: "open end", weigh: weighOpenEnd, why: whyLeftCannotEnd},
	{name: "slash end", weigh: weighSlashEnd, why: nil},
	{name: "dot end", weigh: weighDotEnd, why: whyDotEnd},
	{name: "prose punctuation end", weigh: weighProsePunctEnd, why: whyProsePunctEnd},
	{name: "file extension end", weigh: weighFileExtEnd, why: whyFileExtEnd},
	{name: "link target", weigh: weighLinkTarget, why: whyLinkTarget},
	{name: "nested url", weigh: weighNestedURL, why: say("nested URL after a query parameter or web-archive prefix"), nested: true},
	{name: "new url", weigh: weighNewURL, why: say("next token starts a URL of its own")},
	{name: "other scheme or address", weigh: weighOtherScheme, why: say("next token is a mail address or a non-web URI")},
	{name: "number split", weigh: weighNumberSplit, why: say("digits continue a number split by the break")},
	{name: "page number", weigh: weighPageNumber, why: whyPageNumber},
	{name: "url-only start", weigh: weighURLOnlyStart, why: whyURLOnlyStart},
	{name: "path characters", weigh: weighPathChars, why: whyPathChars},
	{name: "id shape", weigh: weighIDShape, why: whyIDShape},
	{name: "split id", weigh: weighSplitID, why: whySplitID},
	{name: "segment tail", weigh: weighSegmentTail, why: whySegmentTail},
	{name: "underscore slug", weigh: weighUnderscoreSlug, why: whyUnderscoreSlug},
	{name: "slug shape", weigh: weighSlugShape, why: whySlugShape},
	{name: "file extension", weigh: weighContFileExt, why: whyContFileExt},
	{name: "prose word", weigh: weighProseWord, why: whyProseWord},
	{name: "capitalised word", weigh: weighCapitalised, why: whyCapitalised},
	{name: "prose line", weigh: weighProseLine, why: say("the next line reads as prose")},
	{name: "lone token", weigh: weighLoneToken, why: whyLoneToken},
	{name: "unknown word", weigh: weighUnknownWord, why: whyUnknownWord},
	{name: "title completes", weigh: weighTitleCompletes, why: whyTitleCompletes},
	{name: "title words", weigh: weighTitleWords, why: whyTitleWords},
	{name: "dictionary completes", weigh: weighDictCompletes, why: whyDictCompletes},
	{name: "date completes", weigh: weighDateCompletes, why: whyDateCompletes},
	{name: "line fill", weigh: weighLineFill, why: whyLineFill},
	{name: "date in path", weigh: weighDateInPath, why: whyDateInPath},
	{name: "space wrap at line end", weigh: weighSpaceAtLineEnd, why: say("the token after the space ends the line: the space may be a lost wrap")},
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
	for i, r := range joinRules {
		if r.nested && ws[i] > 0 {
			v.nested = true
		}
	}
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
