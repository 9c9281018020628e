// This file turns a crawler result into the catalog write that records
// it: the check row, the link's next state, and excluded links.

package job

import (
	"context"
	"fmt"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// recordExcluded notes an excluded link without fetching it.
func (r *run) recordExcluded(l store.DueLink, reason string) {
	r.enqueue(r.excludedWrite(l, reason))
}

// recordExcludedNow is recordExcluded committed at once, for a worker.
func (r *run) recordExcludedNow(ctx context.Context, l store.DueLink, reason string) error {
	return r.commit(ctx, []write{r.excludedWrite(l, reason)})
}

// excludedWrite is the write that records l as excluded for reason.
func (r *run) excludedWrite(l store.DueLink, reason string) write {
	now := r.opts.Now()
	obs := crawler.Observation{URL: l.URL, Class: crawler.ClassExcluded, CheckedAt: now}
	next, at, trans := r.opts.Policy.Next(l.LinkStatus, obs)
	st := next
	return write{
		w: store.CheckWrite{Check: store.CheckRecord{
			LinkID: l.ID, RunID: r.runID, URL: l.URL, CheckedAt: now,
			Class: crawler.ClassExcluded.String(), Evidence: []string{reason},
		}, State: &st, NextCheck: at},
		url: l.URL, class: crawler.ClassExcluded, next: next, trans: trans, excluded: true,
	}
}

// record hands one result to the writer: to be committed with its new
// state, or, for a network-level failure, pending until the run knows it
// was not an outage. It is counted once committed (writer.go).
func (r *run) record(req crawler.Request, res crawler.Result) error {
	w, err := r.prepare(req, res)
	if err != nil {
		return err
	}
	r.enqueue(w)
	return nil
}

// recordNow commits one result at once, for a worker, which may give its
// lease on the link back only once the check is safe in the catalog.
func (r *run) recordNow(ctx context.Context, req crawler.Request, res crawler.Result) error {
	w, err := r.prepare(req, res)
	if err != nil {
		return err
	}
	return r.commit(ctx, []write{w})
}

// prepare turns one result into the write that records it.
func (r *run) prepare(req crawler.Request, res crawler.Result) (write, error) {
	r.mu.Lock()
	link, ok := r.inFlight[req.ID]
	delete(r.inFlight, req.ID)
	r.linkBack(link.Host)
	r.waits.back(req.ID)
	r.mu.Unlock()
	if !ok {
		return write{}, fmt.Errorf("crawler returned a result for %s that was not asked for", req.URL)
	}
	if res.CheckedAt.IsZero() {
		res.CheckedAt = r.opts.Now()
	}
	obs := crawler.Observation{URL: link.URL, Class: res.Class, FinalURL: res.FinalURL, Permanent: res.Permanent, CheckedAt: res.CheckedAt}
	next, at, trans := r.opts.Policy.Next(link.LinkStatus, obs)
	rec := checkRecord(r.runID, link.ID, res)
	rec.Pending = res.Class.IsNetworkLevel()
	w := write{w: store.CheckWrite{Check: rec, NextCheck: at}, url: link.URL, class: res.Class, next: next, trans: trans}
	if !rec.Pending {
		st := next
		w.w.State = &st
	}
	// Only the archive reads the body after the commit, and the content
	// verdict the HTML prefix: hold nothing else until then.
	if r.opts.Archive == nil {
		res.Body = nil
	}
	if r.drift == nil || !judged(res) {
		res.HTML = nil
	}
	w.res = &res
	return w, nil
}

func checkRecord(runID, linkID int64, res crawler.Result) store.CheckRecord {
	return store.CheckRecord{
		LinkID: linkID, RunID: runID, URL: res.URL, CheckedAt: res.CheckedAt,
		Class: res.Class.String(), Status: res.Status, FinalURL: res.FinalURL, Redirects: res.Redirects,
		Method: res.Method, LatencyMS: res.Latency.Milliseconds(), Attempts: res.Attempts,
		Error: res.Err, Evidence: res.Evidence,
	}
}

// RecordOne records a single check made outside a run (check --url) and
// applies it to the link at once; the caller holds the job lock. A
// network-level failure of one URL is still evidence, as DESIGN.md says
// of a single unreachable host.
func RecordOne(ctx context.Context, cat Catalog, link store.Link, res crawler.Result, policy crawler.Policy) (store.LinkState, error) {
	obs := crawler.Observation{URL: link.URL, Class: res.Class, FinalURL: res.FinalURL, Permanent: res.Permanent, CheckedAt: res.CheckedAt}
	next, at, _ := policy.Next(link.LinkStatus, obs)
	st := next
	if _, err := cat.RecordCheck(ctx, checkRecord(0, link.ID, res), &st, at); err != nil {
		return "", err
	}
	return next.State, nil
}
