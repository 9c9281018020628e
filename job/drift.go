// This file is the content verdict of a check (issue 15): how much of the
// cited copy an alive page still says, judged from the body prefix the
// check already read, and the hand-over of the same response to the
// archive.

package job

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/drift"
	"github.com/linkrot/linkrot/store"
)

// DriftOptions turn content verdicts on for a run.
type DriftOptions struct {
	Threshold float64 // drift.DefaultThreshold when 0
	// Texts reads a reference copy's readable text (*archive.Archiver
	// does); nil judges without references, so only the replaced rules
	// that need none can fire.
	Texts SnapshotTexts
}

// SnapshotTexts reads the readable text of a stored copy.
type SnapshotTexts interface {
	SnapshotText(s store.Snapshot) (string, error)
}

// driftCatalog is what content verdicts need of the catalog beyond
// Catalog: store.DriftStore's part that both stores have.
type driftCatalog interface {
	LinkOccurrences(ctx context.Context, url string, fn func(store.LinkOccurrence) error) error
	// The reference candidates, by link ID and filtered in SQL, and the
	// links that have any (loadCopies).
	GoodSnapshotsBefore(ctx context.Context, linkID int64, t time.Time, fn func(store.Snapshot) error) error
	LinksWithGoodCopies(ctx context.Context, fn func(linkID int64) error) error
	RecordDrifts(ctx context.Context, ds []store.Drift) error
}

// idSet is a set of link IDs as a bitmap: IDs are dense, so a million
// links cost 128 KiB.
type idSet []uint64

// maxBitmapID bounds the bitmap at 16 MiB: a catalog whose IDs run past
// it (sequences that jumped) does without the set.
const maxBitmapID = 1 << 27

func (s *idSet) add(id int64) {
	if id < 0 {
		return
	}
	w := int(id / 64)
	if w >= len(*s) {
		*s = append(*s, make([]uint64, w+1-len(*s))...)
	}
	(*s)[w] |= 1 << (id % 64)
}

func (s idSet) has(id int64) bool {
	w := int(id / 64)
	return id >= 0 && w < len(s) && s[w]&(1<<(id%64)) != 0
}

// loadCopies notes, once per run, which links have a good copy: a
// reference is always a copy captured before the check, so one made
// during this run never is one, and the set stays exact for the run.
func (r *run) loadCopies(ctx context.Context) error {
	if r.drift.Texts == nil {
		return nil
	}
	var set idSet
	errSparse := errors.New("link IDs too sparse for a bitmap")
	err := r.driftCat.LinksWithGoodCopies(ctx, func(id int64) error {
		if id > maxBitmapID {
			return errSparse
		}
		set.add(id)
		return nil
	})
	if errors.Is(err, errSparse) {
		return nil // every page asks for its copies instead
	}
	if err != nil {
		return err
	}
	r.copies = &set
	return nil
}

// contentJob is one recorded response handed to the content workers: the
// verdict, then the capture, in that order, so the reference is never the
// copy this check is about to store.
type contentJob struct {
	linkID  int64
	checkID int64
	url     string
	res     crawler.Result
}

// judged says whether a result gets a content verdict: an HTML answer the
// check read. A redirect to the site's root is dead to the crawler, but
// it is also the typical "replaced" (a deep link now landing on a home
// page), so it is judged too.
func judged(res crawler.Result) bool {
	return len(res.HTML) > 0 && (res.Class.IsSuccess() || res.Class == crawler.ClassRedirectToRoot)
}

// content1 runs one job: the verdict when drift is on, then the capture
// when the archive is on, marked replaced when the verdict says so.
func (r *run) content1(ctx context.Context, j contentJob) {
	var replaced, text string
	if r.drift != nil && judged(j.res) {
		v, pt, err := r.judge(ctx, j)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			r.warns.add(r.opts.Logger, "content verdict failed", j.url, err)
		default:
			r.mu.Lock()
			r.sum.Judged++
			if v.Drifted {
				r.sum.Drifted++
			}
			if v.Replaced {
				r.sum.Replaced++
				replaced = v.ReplacedReason
			}
			r.mu.Unlock()
			if pt.Article && !j.res.HTMLTruncated {
				text = pt.Text // the whole page's article: the archive can skip parsing it again
			}
		}
	}
	if r.opts.Archive != nil && j.res.Class.IsSuccess() && j.res.Body != nil {
		res := j.res
		r.capture(ctx, captureJob{linkID: j.linkID, resp: archive.Response{
			URL: j.url, FinalURL: res.FinalURL, Status: res.Status, Header: res.Header,
			Body: res.Body, FetchedAt: res.CheckedAt, Method: res.Method, UserAgent: r.opts.UserAgent,
			Replaced: replaced, ArticleText: text,
		}})
	}
}

// judge computes and records the verdict of one check, and returns the
// page's text as read.
func (r *run) judge(ctx context.Context, j contentJob) (store.Drift, archive.PageText, error) {
	res := j.res
	final := res.FinalURL
	if final == "" {
		final = j.url
	}
	// The crawler hands the prefix over already decoded to UTF-8; the
	// page's own header or <meta> may name another charset, which would
	// decode it a second time, so the header given here says UTF-8.
	const ct = "text/html; charset=utf-8"
	ref, refText, err := r.referenceText(ctx, j.linkID, j.url, res.CheckedAt)
	if err != nil {
		return store.Drift{}, archive.PageText{}, err
	}
	var pt archive.PageText
	if refText != "" {
		u, _ := url.Parse(final)
		pt = archive.ReadableText(res.HTML, ct, u)
	} else {
		// Nothing to compare with: the replaced rules read titles and
		// words, which the cheapest reading gives.
		pt = archive.VisibleWords(res.HTML, ct)
	}
	page := drift.Page{CitedURL: j.url, FinalURL: final, Title: pt.Title, Text: pt.Text,
		RefText: refText, Truncated: res.HTMLTruncated}
	opts := drift.Options{Threshold: r.drift.Threshold}
	v := drift.Judge(page, opts)
	if v.Drifted && pt.Article {
		// Readability may have picked the wrong block; the page's whole
		// visible text gets a second chance, paid only by drifted pages.
		page.AltText = archive.VisibleText(res.HTML, ct).Text
		v = drift.Judge(page, opts)
	}
	d := store.Drift{CheckID: j.checkID, Comparable: v.Comparable, Drifted: v.Drifted,
		Replaced: v.Replaced, ReplacedReason: string(v.Reason), Evidence: v.Evidence}
	if v.Comparable {
		d.Similarity = v.Similarity
		d.ReferenceSnapshotID = ref.ID
	}
	r.saveDrift(ctx, d)
	return d, pt, nil
}

// referenceText picks the reference copy of linkURL and reads its text:
// among the good copies captured before this check (never the one this
// check may store), the one nearest before the earliest citation, else
// the first. "" when there is none or it has no text.
func (r *run) referenceText(ctx context.Context, linkID int64, linkURL string, checkedAt time.Time) (store.Snapshot, string, error) {
	if r.drift.Texts == nil || r.copies != nil && !r.copies.has(linkID) {
		return store.Snapshot{}, "", nil
	}
	var copies []store.Snapshot
	keep := func(s store.Snapshot) error {
		if s.Good() && s.CapturedAt.Before(checkedAt) && hasText(s) {
			copies = append(copies, s)
		}
		return nil
	}
	err := r.driftCat.GoodSnapshotsBefore(ctx, linkID, checkedAt, keep)
	if err != nil || len(copies) == 0 {
		return store.Snapshot{}, "", err
	}
	var cited []time.Time
	err = r.driftCat.LinkOccurrences(ctx, linkURL, func(o store.LinkOccurrence) error {
		cited = append(cited, drift.CitedAt(o.Document.Date, o.Document.ModTime))
		return nil
	})
	if err != nil {
		return store.Snapshot{}, "", err
	}
	ref, _ := drift.Reference(copies, func(s store.Snapshot) time.Time { return s.CapturedAt }, drift.EarliestCitation(cited))
	text, err := r.drift.Texts.SnapshotText(ref)
	if err != nil {
		// A damaged copy is the archive's problem (verify reports it);
		// the page is judged without a reference rather than not at all.
		r.warns.add(r.opts.Logger, "reading a reference copy failed", linkURL, fmt.Errorf("snapshot %d: %w", ref.ID, err))
		return store.Snapshot{}, "", nil
	}
	return ref, text, nil
}

// hasText: a copy with readable text, or an HTML copy to extract it from.
func hasText(s store.Snapshot) bool {
	if s.TextBlob != "" {
		return true
	}
	mt, _, _ := mime.ParseMediaType(s.ContentType)
	mt = strings.ToLower(mt)
	return s.RawBlob != "" && (mt == "text/html" || mt == "application/xhtml+xml")
}
