package sources

// URL finding and repair, in three parts:
//
//   - scan*.go: a byte scanner for where a URL may start (a scheme, possibly
//     defanged or spaced; "www."; a bare "host.tld/" found from its slash)
//     and the character classes a URL is made of.
//   - repair_build.go: copies one run of URL characters, decoding entities,
//     dropping invisible characters, refanging dots, and trims the prose
//     punctuation at its end.
//   - repair_join.go, repair_hyphen.go: at each break (a newline or a space)
//     named rules weigh whether the URL goes on, and whether a hyphen at the
//     break is the URL's own; repair_evidence.go holds what the document says
//     about itself (title, date, wrap width, spellings).
//
// Every decision keeps its score, its reasons and its other outcome, so an
// occurrence can list ranked alternatives for the crawler to verify.

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Limits that keep a pathological input linear: a URL joins at most this
// many breaks and stops growing past this length.
const (
	maxJoins  = 24
	maxURLLen = 8192
	// A decision closer than this to the fence keeps its other outcome as an
	// alternative for the crawler to verify.
	altBand = 4.0
)

// ExtractText finds every URL in text, repairs damage done by text processing,
// and returns occurrences in order of appearance, all with Role RoleCited
// (the caller assigns roles). Start/End are byte offsets into text covering the
// raw (damaged) span; Line/Column 1-based (column in bytes) of Start.
//
// The text may be plain text, Markdown source or the text of HTML between
// tags (entities still encoded). It does no I/O; invalid UTF-8 ends a URL.
func ExtractText(text string, ev Evidence) []Occurrence {
	e := &extractor{s: text, lineNo: 1}
	e.evi.ev, e.evi.text = ev, text
	return e.run()
}

// candidate is where a URL starts: a scheme, "www." or a bare host.
type candidate struct {
	start  int    // text offset of the raw span
	body   int    // text offset of the host
	scheme string // "" when the URL has no scheme
	flags  repairFlags
}

type extractor struct {
	s   string
	evi evidence
	b   urlBuilder // the URL being built
	tok urlBuilder // scratch for reading a continuation ahead

	lineNo, linePos, lineStart int // line bookkeeping, advanced monotonically

	decisions []decision
	weights   []float64 // scratch: one weight per join rule
}

// decision is one choice made while building a URL: a join at a break (or a
// close call not to join), or what to do with a hyphen at a break.
type decision struct {
	hyphen  bool    // a hyphen decision; otherwise a join decision
	taken   bool    // joined / hyphen removed
	nested  bool    // join of a nested URL
	spaced  bool    // join across spaces inside the host or scheme
	score   float64 // rule total
	conf    float64
	reasons []string
	alt     string // the URL had the other outcome been chosen (unfinished)
	hyphAt  int    // hyphen decisions: index in the final URL
}

// ctxStride is how many bytes of text are scanned between looks at the
// context: well under a millisecond of work.
const ctxStride = 64 << 10

func (e *extractor) run() []Occurrence {
	s := e.s
	// Most URLs have a scheme: counting "://" (a fast scan) sizes the
	// result once instead of growing it by copies.
	occs := make([]Occurrence, 0, strings.Count(s, "://")+strings.Count(s, "www.")/2)
	floor := 0
	ctx := e.evi.ev.ctx
	nextLook := ctxStride
	for i := 0; i < len(s); i++ {
		if ctx != nil && i >= nextLook {
			if ctx.Err() != nil {
				return occs // the caller sees ctx.Err() and drops the document
			}
			nextLook = i + ctxStride
		}
		if byteClass[s[i]]&clsStart == 0 {
			continue
		}
		cand, ok := e.candidateAt(i, floor)
		if !ok {
			continue
		}
		occ, ok := e.extract(cand)
		if !ok {
			continue
		}
		occs = append(occs, occ)
		floor = occ.End
		i = max(occ.End, i+1) - 1
	}
	return occs
}

// candidateAt reports whether a URL may start at s[i] (or, for a bare host
// found from its '/', a little before it).
func (e *extractor) candidateAt(i, floor int) (candidate, bool) {
	s := e.s
	switch s[i] {
	case 'h', 'H':
		if i > 0 && isAlnum(s[i-1]) {
			break
		}
		m, ok := matchScheme(s, i)
		if !ok {
			break
		}
		c := candidate{start: i, body: m.end, scheme: m.scheme}
		if m.refanged {
			c.flags |= fixRefanged
		}
		if m.spaced {
			c.flags |= fixSchemeSpaces
		}
		if m.entities {
			c.flags |= fixEntities
		}
		return c, true
	case 'w', 'W':
		if matchWWW(s, i) {
			return candidate{start: i, body: i}, true
		}
	case '/':
		if k, ok := bareHostStart(s, i, floor); ok {
			return candidate{start: k, body: k}, true
		}
	}
	return candidate{}, false
}

// extract builds the URL that starts at c: it copies runs of URL characters
// and, at each break, asks the join rules whether the URL goes on.
func (e *extractor) extract(c candidate) (Occurrence, bool) {
	b := &e.b
	b.reset(c.start)
	e.decisions = e.decisions[:0]
	if c.scheme != "" {
		b.addString(c.scheme+"://", c.body)
		b.hasScheme = true
		b.authStart = len(b.out)
	}
	b.flags |= c.flags
	b.checkHost = true
	var opener byte
	if c.start > 0 {
		opener = e.s[c.start-1]
	}
	pos := c.body
	if c.scheme != "" {
		pos = b.authorityPrefix(e.s, pos)
	}
	for joins := 0; ; joins++ {
		stop := b.scanRun(e.s, pos)
		if b.inHost() && malformedHostEnd(e.s, stop) {
			return Occurrence{}, false // "https://example]org/": not a host
		}
		if next, ok := e.joinSpacedHost(stop); ok {
			pos = next
			continue
		}
		if joins >= maxJoins || len(b.out) > maxURLLen {
			break
		}
		br, ok := findBreak(e.s, stop)
		if !ok || plainProseAfterSpace(b, e.s, br) {
			break
		}
		jc := e.newJoinCase(b, br, opener)
		v := e.decideJoin(jc)
		if !v.join {
			e.noteRejectedJoin(jc, v)
			break
		}
		e.applyJoin(jc, v)
		pos = br.contStart
	}
	return e.finish(c, opener)
}

// malformedHostEnd reports whether a host stopped at s[i] by a character
// that cannot follow a host, glued to more of it ("example]org").
func malformedHostEnd(s string, i int) bool {
	if i+1 >= len(s) || !isAlnum(s[i+1]) {
		return false
	}
	return strings.IndexByte("[]{}\\|^`", s[i]) >= 0
}

// applyJoin records a join and settles a hyphen left at the break.
func (e *extractor) applyJoin(jc *joinCase, v joinVerdict) {
	b := jc.b
	d := decision{
		taken:   true,
		nested:  v.nested,
		spaced:  !jc.br.newline && (b.inHost() || b.schemeOnly()),
		score:   v.score,
		conf:    confidenceOf(v.score),
		reasons: v.reasons,
		alt:     jc.left,
	}
	e.decisions = append(e.decisions, d)
	if jc.leftLast() != '-' || jc.b.schemeOnly() {
		return
	}
	hv := e.decideHyphen(jc)
	hd := decision{
		hyphen:  true,
		taken:   hv.remove,
		score:   hv.score,
		conf:    min(confidenceOf(hv.score), hv.maxConf),
		reasons: hv.reasons,
		hyphAt:  len(b.out) - 1,
	}
	if hv.remove {
		b.out = b.out[:len(b.out)-1]
		b.rawEnd = b.rawEnd[:len(b.rawEnd)-1]
	}
	e.decisions = append(e.decisions, hd)
}

// noteRejectedJoin keeps a close call not to join as an alternative.
func (e *extractor) noteRejectedJoin(jc *joinCase, v joinVerdict) {
	if v.score <= -altBand/2 || !hasAlnum(jc.core) {
		return
	}
	alt := jc.left + jc.core
	if jc.leftLast() == '-' && !jc.b.schemeOnly() {
		if hv := e.decideHyphen(jc); hv.remove {
			alt = jc.left[:len(jc.left)-1] + jc.core
		}
	}
	e.decisions = append(e.decisions, decision{
		score:   v.score,
		conf:    confidenceOf(v.score),
		reasons: v.reasons,
		alt:     alt,
	})
}

// finish trims prose from the end of the URL, checks it and assembles the
// occurrence.
func (e *extractor) finish(c candidate, opener byte) (Occurrence, bool) {
	b := &e.b
	if len(b.out) <= b.authStart {
		return Occurrence{}, false
	}
	cut := trailingTrim(b.out, b.authStart+1, opener)
	out := b.out[:len(b.out)-cut]
	end := b.lastConsumed
	if cut > 0 {
		end = b.rawEnd[len(out)-1]
	}
	u, fl := normalizeEscapes(string(out))
	flags := b.flags | fl
	if !e.acceptable(u, c.scheme != "") {
		return Occurrence{}, false
	}
	line, col := e.position(c.start)
	occ := Occurrence{
		URL:          u,
		Raw:          e.s[c.start:end],
		Start:        c.start,
		End:          end,
		Line:         line,
		Column:       col,
		Role:         RoleCited,
		Repairs:      []string{},
		Alternatives: []string{},
		Reasons:      []string{},
		Confidence:   1,
	}
	e.describe(&occ, flags, cut > 0, c.scheme == "")
	occ.Alternatives = e.alternatives(out, occ.URL, c.start)
	return occ, true
}

// describe fills Repaired, Repairs, Reasons, Confidence and Alternatives
// from the decisions and clean-ups.
func (e *extractor) describe(o *Occurrence, flags repairFlags, trimmed, noScheme bool) {
	conf := 1.0
	var joined, spaced, nested, removed, kept bool
	for _, d := range e.decisions {
		conf *= d.conf
		o.Reasons = append(o.Reasons, d.reasons...)
		switch {
		case d.hyphen && d.taken:
			removed = true
		case d.hyphen:
			kept = true
		case d.taken && d.nested:
			nested = true
		case d.taken && d.spaced:
			spaced = true
		case d.taken:
			joined = true
		}
	}
	add := func(ok bool, name string) {
		if ok {
			o.Repairs = append(o.Repairs, name)
		}
	}
	add(joined, "joined line wrap")
	add(spaced, "removed spaces inside URL")
	add(nested, "joined nested URL")
	add(removed, "removed inserted hyphen")
	add(kept, "kept hyphen at break")
	for _, r := range repairNames {
		if flags&r.flag != 0 {
			o.Repairs = append(o.Repairs, r.name)
			conf *= r.conf
		}
	}
	o.Repaired = len(o.Repairs) > 0
	if o.Repaired && trimmed {
		o.Repairs = append(o.Repairs, "trimmed trailing punctuation")
	}
	if noScheme {
		o.Reasons = append(o.Reasons, "no scheme: written without http(s)://")
	}
	o.Confidence = conf
}

// alternatives lists the other outcome of every close decision, best first.
// out is the chosen URL before escapes were normalised, which is what hyphen
// positions refer to.
func (e *extractor) alternatives(out []byte, chosen string, start int) []string {
	type alt struct {
		u      string
		margin float64
	}
	var alts []alt
	for _, d := range e.decisions {
		margin := d.score
		if margin < 0 {
			margin = -margin
		}
		if margin >= altBand && !d.hyphen && !d.taken {
			continue // a clear no: the joined form is not worth checking
		}
		u := d.alt
		if d.hyphen {
			u = toggleHyphen(string(out), d)
		}
		if u != "" {
			u = e.finishAlt(u, start)
		}
		if u != "" && u != chosen {
			alts = append(alts, alt{u, margin})
		}
	}
	list := []string{}
	if len(alts) == 0 {
		return list
	}
	sort.SliceStable(alts, func(i, j int) bool { return alts[i].margin < alts[j].margin })
	seen := map[string]bool{chosen: true}
	for _, a := range alts {
		if !seen[a.u] && len(list) < 4 {
			seen[a.u] = true
			list = append(list, a.u)
		}
	}
	return list
}

// toggleHyphen returns the chosen URL with the hyphen decision d reversed.
func toggleHyphen(u string, d decision) string {
	if d.hyphAt > len(u) {
		return ""
	}
	if d.taken {
		return u[:d.hyphAt] + "-" + u[d.hyphAt:]
	}
	if d.hyphAt < len(u) && u[d.hyphAt] == '-' {
		return u[:d.hyphAt] + u[d.hyphAt+1:]
	}
	return ""
}

// finishAlt trims and checks an alternative URL like a chosen one.
func (e *extractor) finishAlt(u string, start int) string {
	var opener byte
	if start > 0 {
		opener = e.s[start-1]
	}
	minLen := 1
	if hasWebScheme(u) {
		minLen = strings.Index(u, "://") + 4
	}
	cut := trailingTrim(u, minLen, opener)
	u, _ = normalizeEscapes(u[:len(u)-cut])
	if !e.acceptable(u, hasWebScheme(u)) {
		return ""
	}
	return u
}

// acceptable checks the finished URL: net/url parses its fetch form, and
// its host is a real one.
func (e *extractor) acceptable(u string, hasScheme bool) bool {
	full := u
	if !hasScheme {
		full = "http://" + u
	}
	p, err := url.Parse(escapeStrayPercents(full))
	if err != nil || p.Host == "" || p.Opaque != "" {
		return false
	}
	if port := p.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			return false
		}
	}
	if strings.HasPrefix(p.Host, "[") {
		return hasScheme && ipLiteral(p.Hostname())
	}
	return validHost(p.Hostname(), hasScheme)
}

// position returns the 1-based line and byte column of offset at, which must
// not be before the previous call's.
func (e *extractor) position(at int) (int, int) {
	seg := e.s[e.linePos:at]
	if n := strings.Count(seg, "\n"); n > 0 {
		e.lineNo += n
		e.lineStart = e.linePos + strings.LastIndexByte(seg, '\n') + 1
	}
	e.linePos = at
	return e.lineNo, at - e.lineStart + 1
}

// lineAt returns the 1-based line of offset at without moving the
// bookkeeping; used only for reasons.
func (e *extractor) lineAt(at int) int {
	if at < e.linePos {
		return strings.Count(e.s[:at], "\n") + 1
	}
	return e.lineNo + strings.Count(e.s[e.linePos:at], "\n")
}
