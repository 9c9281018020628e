package crawler

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Soft-404 detection: a 200 page that really says "not found".
//
// Three kinds of evidence, any of which is enough:
//   - the title or first heading says so ("Page not found", "404",
//     "Seite nicht gefunden", …);
//   - a probe of the same host with a random path of the same shape also
//     answers 200, with the same title and near-identical visible text once
//     each page's echo of its own path is removed (shingle similarity);
//   - (decided in verdict) a redirect chain ended at the root or a /404
//     page, which is ClassRedirectToRoot.
//
// A host whose probe gets a 404 or 410 is trusted for the run: it reports
// missing pages honestly, so its 200s are not compared.

// similarityThreshold is the Jaccard similarity of word 3-shingles above
// which two pages count as the same page. Real pages of a site share their
// navigation and footer with its not-found page; 0.9 leaves room for that
// while "the same template with a different echo" scores ~1.
const similarityThreshold = 0.9

// minCompareWords: pages with fewer visible words are not compared; two
// nearly empty pages are alike without meaning anything.
const minCompareWords = 5

// probeResult is what a host answered to a path that cannot exist.
type probeResult struct {
	path       string
	status     int
	trusted    bool     // 404/410: missing pages are reported honestly
	redirected string   // where the probe was redirected to, if anywhere
	shingles   []uint64 // of the visible text without the probe's path echo (200 HTML only)
	words      int      // how many words that text had
	title      []string
	html       bool
	failed     string // why there is no answer
}

// probeKey: one probe per host and path shape (depth, extension, trailing
// slash). Sites often route /2014/09/29/slug and /tag/x differently.
func probeKey(u *url.URL) string {
	p := u.Path
	trailing := strings.HasSuffix(p, "/")
	segs := strings.Split(strings.Trim(p, "/"), "/")
	ext := ""
	if !trailing {
		ext = extOf(segs[len(segs)-1])
	}
	return fmt.Sprintf("%s://%s|%d|%s|%t", u.Scheme, strings.ToLower(u.Host), len(segs), strings.ToLower(ext), trailing)
}

// extOf is a file extension worth keeping: ".html", ".php", ".pdf".
func extOf(seg string) string {
	e := path.Ext(seg)
	if len(e) < 2 || len(e) > 6 || len(e) == len(seg) {
		return ""
	}
	for _, r := range e[1:] {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return ""
		}
	}
	return e
}

// probePath is a random path shaped like p: as many segments, each of
// random letters and digits about as long as the original (8 to 32), the
// same extension and trailing slash.
func probePath(p string) string {
	trailing := strings.HasSuffix(p, "/") && p != "/"
	trimmed := strings.Trim(p, "/")
	if trimmed == "" {
		return "/" + randToken(12)
	}
	segs := strings.Split(trimmed, "/")
	for i, s := range segs {
		ext := ""
		if i == len(segs)-1 && !trailing {
			ext = extOf(s)
		}
		n := utf8.RuneCountInString(strings.TrimSuffix(s, ext))
		segs[i] = randToken(min(max(n, 8), 32)) + ext
	}
	out := "/" + strings.Join(segs, "/")
	if trailing {
		out += "/"
	}
	return out
}

// randToken mixes letters and digits, so it is no word and no number any
// real route would take.
func randToken(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	const digits = "0123456789"
	b := make([]byte, n)
	for i := range b {
		if i%3 == 2 {
			b[i] = digits[rand.IntN(len(digits))]
		} else {
			b[i] = letters[rand.IntN(len(letters))]
		}
	}
	return string(b)
}

// softNotFound decides whether a 200 HTML page is a soft 404. final is
// where the check ended, orig what was asked for.
func (c *Checker) softNotFound(ctx context.Context, s *session, orig, final *url.URL, pg *page) (bool, []string) {
	if t := pg.title; notFoundTitle(t) {
		return true, []string{"soft-404: title says " + quoteShort(t)}
	}
	if h := pg.h1; notFoundTitle(h) {
		return true, []string{"soft-404: heading says " + quoteShort(h)}
	}
	if isRoot(final) {
		return false, nil // the home page cannot be "not found"
	}
	pr, err := c.probes.get(ctx, probeKey(final), s.t, func() (*probeResult, bool) {
		r := c.probe(ctx, s, final) // probeshare.go: shared between workers when configured
		return r, ctx.Err() == nil
	})
	if err != nil || pr == nil || pr.trusted || pr.status != http.StatusOK || !pr.html {
		return false, nil
	}
	pg.text()
	echo := append(pathWords(orig), pathWords(final)...)
	words := withoutRuns(withoutRuns(pg.words, pathWords(orig)), pathWords(final))
	title := withoutRuns(appendWords(nil, pg.title, 64), echo)
	if len(words) < minCompareWords || pr.words < minCompareWords || !equalWords(title, pr.title) {
		return false, nil
	}
	sim := jaccard(shingles(words), pr.shingles)
	if sim < similarityThreshold {
		return false, nil
	}
	what := fmt.Sprintf("probe %s answered 200 with %d%% similar page", pr.path, int(sim*100))
	if pr.redirected != "" {
		what = fmt.Sprintf("probe %s was redirected to %s, which answered 200 with %d%% similar page", pr.path, pr.redirected, int(sim*100))
	}
	if pg.scripts > 0 && len(words) < 50 {
		// A JavaScript app serves one shell for every path and fills it in
		// the browser: without running it, a live page and a missing one
		// look the same. Not enough to call the link dead.
		return false, []string{"same page as for a random path (" + what + "), but it is a script-driven shell with little text; not judged"}
	}
	return true, []string{"soft-404: " + what}
}

// runProbe asks the host for a path that does not exist.
func (c *Checker) runProbe(ctx context.Context, s *session, final *url.URL) *probeResult {
	pu := &url.URL{Scheme: final.Scheme, Host: final.Host, Path: probePath(final.Path)}
	x := s.do(ctx, fetchProbe, http.MethodGet, pu)
	defer x.release() // only the fingerprint is kept
	r := &probeResult{path: pu.Path, status: x.status}
	if x.status == 0 {
		r.failed = classifyError(x.err, x.deadline).String()
		return r
	}
	if len(x.hops) > 0 {
		r.redirected = x.final().String()
	}
	switch x.status {
	case http.StatusNotFound, http.StatusGone:
		r.trusted = true
		return r
	case http.StatusOK:
	default:
		return r
	}
	if x.bodyRead() && x.isHTML() {
		doc, _ := decodeHTML(x.bodyBytes(), x.header.Get("Content-Type"))
		pg := parsePage(doc, true)
		echo := pathWords(pu)
		if x.finalURL != nil {
			echo = append(echo, pathWords(x.finalURL)...)
		}
		words := withoutRuns(pg.words, echo)
		r.html, r.words, r.shingles = true, len(words), shingles(words)
		r.title = withoutRuns(appendWords(nil, pg.title, 64), echo)
	}
	return r
}

// shingles are the text's word 3-shingles, hashed, sorted and unique: a
// compact fingerprint (8 bytes a word) that probes keep for the run.
func shingles(words []string) []uint64 {
	const k = 3
	var out []uint64
	add := func(ws []string) {
		h := fnv.New64a()
		for _, w := range ws {
			h.Write([]byte(w))
			h.Write([]byte{0})
		}
		out = append(out, h.Sum64())
	}
	if len(words) < k {
		if len(words) > 0 {
			add(words)
		}
		return out
	}
	out = make([]uint64, 0, len(words)-k+1)
	for i := 0; i+k <= len(words); i++ {
		add(words[i : i+k])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a∩b| / |a∪b| of two sorted unique sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// notFoundTitle recognises titles and headings of not-found pages. It is
// strict on purpose: the title must say little besides "not found" ("404 -
// Page Not Found | Example", "Oops! That page can't be found."), so that an
// article about 404 pages, or a site named "404 Media", is not one.
func notFoundTitle(t string) bool {
	t = strings.ToLower(collapse(t))
	t = quoteFolder.Replace(t)
	if t == "" || !mentionsNotFound(t) {
		return false
	}
	return notFoundSegments(t)
}

// mentionsNotFound: t holds one of the exact titles or phrases somewhere.
// Every segment notFoundSegments looks at is a piece of t, so without one
// of them it cannot say yes; most titles are ruled out here, without
// splitting them.
func mentionsNotFound(t string) bool {
	for _, ph := range notFoundNeedles {
		if strings.Contains(t, ph) {
			return true
		}
	}
	return false
}

// notFoundSegments is notFoundTitle on a title already folded.
func notFoundSegments(t string) bool {
	for _, seg := range titleSegments(t) {
		seg = strings.Trim(seg, " !.?¡¿:;,'\"()[]«»")
		if exactNotFound[seg] {
			return true
		}
		n := len(strings.Fields(seg))
		for _, ph := range notFoundPhrases {
			if strings.Contains(seg, ph) && n-len(strings.Fields(ph)) <= 3 {
				return true
			}
		}
	}
	return false
}

// titleSegments splits "404 - Page Not Found | Example" at the separators
// sites put between the page's and the site's name.
func titleSegments(t string) []string {
	for _, sep := range []string{" | ", " - ", " – ", " — ", " · ", " • ", " » ", " :: ", ": "} {
		t = strings.ReplaceAll(t, sep, "\x00")
	}
	t = titleSeparators.Replace(t)
	return strings.Split(t, "\x00")
}

var exactNotFound = map[string]bool{
	"404": true, "not found": true, "404 not found": true, "error 404": true, "404 error": true,
	"http 404": true, "404 page": true, "nicht gefunden": true, "introuvable": true,
	"no encontrado": true, "non trovato": true, "não encontrado": true, "не найдено": true,
}

// notFoundNeedles are exactNotFound's keys and notFoundPhrases.
var notFoundNeedles = func() []string {
	out := append([]string(nil), notFoundPhrases...)
	for k := range exactNotFound {
		out = append(out, k)
	}
	return out
}()

var notFoundPhrases = []string{
	"page not found", "page cannot be found", "page can't be found", "page could not be found",
	"page does not exist", "page doesn't exist", "page no longer exists", "page is no longer available",
	"file not found", "document not found", "404 not found", "error 404", "404 error",
	"seite nicht gefunden", "seite wurde nicht gefunden", "fehler 404",
	"page introuvable", "page non trouvée", "erreur 404",
	"página no encontrada", "pagina no encontrada", "página não encontrada", "pagina nao encontrada",
	"pagina non trovata", "errore 404", "pagina niet gevonden",
	"страница не найдена", "ошибка 404", "nie znaleziono strony", "strona nie została znaleziona",
	"sidan hittades inte", "siden blev ikke fundet", "sivua ei löytynyt", "sayfa bulunamadı",
	"ページが見つかりません", "页面未找到", "找不到页面", "页面不存在", "페이지를 찾을 수 없습니다",
}

// quoteShort quotes s for evidence, shortened.
func quoteShort(s string) string {
	if len(s) > 120 {
		cut := 120
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}

// Built once: a Replacer builds its lookup table on first use, which was
// work repeated for every page.
var (
	quoteFolder     = strings.NewReplacer("’", "'", "‘", "'", "…", "...")
	titleSeparators = strings.NewReplacer("|", "\x00", "–", "\x00", "—", "\x00")
)
