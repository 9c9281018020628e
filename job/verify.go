package job

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// verifiedConfidence is the confidence of a repair the web settled: a
// candidate answered and the others did not (or its page matched the
// document's title better).
const verifiedConfidence = 0.95

// verifyRepairs settles doubtful repairs on the web: for each occurrence
// whose repair was low-confidence or had alternatives, it checks every
// candidate and adopts the one that resolves (2xx, not a soft-404), and of
// several, the one whose page title is closest to the document's title.
func (r *run) verifyRepairs(ctx context.Context, chk Checker) error {
	var refs []store.OccurrenceRef
	err := r.cat.OccurrencesNeedingVerification(ctx, func(o store.OccurrenceRef) error {
		if slices.Contains(o.Occurrence.Repairs, "refanged") {
			return nil // a defanged indicator is never fetched, candidates included
		}
		refs = append(refs, o)
		return nil
	})
	if err != nil {
		return err
	}
	// Candidates shared by several occurrences are fetched once.
	seen := map[string]crawler.Result{}
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return err
		}
		best, reasons, ok := r.pickCandidate(ctx, chk, ref, seen)
		if !ok {
			r.opts.Logger.Info("no candidate of a doubtful repair answered; kept for the next run",
				"document", ref.Document.Path, "raw", ref.Occurrence.Raw, "evidence", strings.Join(reasons, "; "))
			continue
		}
		err := r.cat.AdoptRepair(ctx, ref.ID, best, verifiedConfidence, reasons, r.opts.Now())
		if errors.Is(err, store.ErrNotFound) {
			continue // the document was rescanned meanwhile
		}
		if err != nil {
			return fmt.Errorf("adopting %s: %w", best, err)
		}
		r.sum.Verified++
	}
	return nil
}

func (r *run) pickCandidate(ctx context.Context, chk Checker, ref store.OccurrenceRef, seen map[string]crawler.Result) (string, []string, bool) {
	candidates := append([]string{ref.Occurrence.URL}, ref.Occurrence.Alternatives...)
	var reasons []string
	best, bestScore := "", -1.0
	for _, c := range candidates {
		if !strings.Contains(c, "://") {
			c = "https://" + c
		}
		res, ok := seen[c]
		if !ok {
			res = chk.Check(ctx, c)
			res.Body, res.Header = nil, nil // only the verdict and title are kept
			seen[c] = res
		}
		if !res.Class.IsSuccess() {
			reasons = append(reasons, fmt.Sprintf("verified on the web: %s answered %s", c, describe(res)))
			continue
		}
		score := titleSimilarity(ref.Document.Title, res.Title)
		reasons = append(reasons, fmt.Sprintf("verified on the web: %s answered %s, page title %q", c, describe(res), res.Title))
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best, reasons, best != ""
}

func describe(res crawler.Result) string {
	if res.Status > 0 {
		return fmt.Sprintf("%d (%s)", res.Status, res.Class)
	}
	return res.Class.String()
}

// titleSimilarity is the share of the document title's words found in the
// page title (0 when either is empty), so the candidate whose page is
// about the same thing wins a tie between two live URLs.
func titleSimilarity(docTitle, pageTitle string) float64 {
	want := words(docTitle)
	if len(want) == 0 {
		return 0
	}
	have := map[string]bool{}
	for _, w := range words(pageTitle) {
		have[w] = true
	}
	n := 0
	for _, w := range want {
		if have[w] {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
