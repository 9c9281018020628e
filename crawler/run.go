package crawler

import (
	"context"
	"sync"
)

// Request is one URL for Run; ID is the caller's, handed back with the
// Result.
type Request struct {
	ID  int64
	URL string
}

// Run checks every request from in and calls out with each result as soon
// as it is ready, until in is closed and every check is done, or ctx ends.
//
// Limits: at most crawler.concurrency checks at once, at most
// crawler.per_host per host, and crawler.per_host_interval between request
// starts on a host (every request: HEAD, GET, retries, redirect hops,
// robots.txt, probes).
//
// out is called from Run's worker goroutines, one call at a time (calls are
// serialized, never concurrent), so it may write to a single-writer store
// without locking; a slow out slows the run down rather than piling results
// up. out is never called after Run returns.
//
// Memory does not grow with the number of URLs: Run takes a request from in
// only while fewer than a fixed number (max(256, 2×concurrency)) are taken
// and unfinished, and per-host state is dropped when a host goes idle.
// Requests for a busy host wait in that window without blocking other
// hosts; interleaving hosts in the feed keeps every slot busy, and a feed
// should not hand over more links of one host than its per_host slots can
// soon take (job's feed holds each host to 2×per_host), or a slow host's
// links fill the window. Each waiting request is a parked goroutine, which
// every garbage collection scans: a window of 16×concurrency cost a tenth
// of a 10k-link run's CPU and 50 MiB. Response bytes
// held by all checks in flight, including the Body and HTML of results
// until out returns, stay within crawler.max_buffered (see budget).
//
// When ctx ends, checks in flight are abandoned (their requests are
// cancelled) and not reported: they were not finished and the next run picks
// them up. Run then returns ctx.Err(); otherwise nil.
func (c *Checker) Run(ctx context.Context, in <-chan Request, out func(Request, Result)) error {
	// A fixed set of workers rather than a goroutine per request: a check
	// grows its stack two or three times (colly, net/http, URL parsing),
	// and a fresh goroutine pays every growth again, copying its frames;
	// a worker keeps its stack from one check to the next. That was a
	// tenth of a check run's CPU.
	var wg sync.WaitGroup
	var outMu sync.Mutex
	for range c.maxQueue {
		wg.Go(func() {
			for {
				var req Request
				var ok bool
				select {
				case req, ok = <-in:
				case <-ctx.Done():
					return
				}
				if !ok {
					return
				}
				c.runOne(ctx, req, &outMu, out)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// runOne checks req and hands its result to out, unless ctx ended first.
func (c *Checker) runOne(ctx context.Context, req Request, outMu *sync.Mutex, out func(Request, Result)) {
	res, done, release := c.check(ctx, req.URL)
	// The result's body bytes count against max_buffered until out is
	// done with them.
	defer release()
	if !done || ctx.Err() != nil {
		return
	}
	outMu.Lock()
	defer outMu.Unlock()
	out(req, res)
}
