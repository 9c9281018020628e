package crawler

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
)

// sharedProbe is probeResult as the shared probe cache keeps it (JSON),
// so that several workers ask a host's soft-404 probe once between them.
type sharedProbe struct {
	Path       string   `json:"path"`
	Status     int      `json:"status"`
	Trusted    bool     `json:"trusted"`
	Redirected string   `json:"redirected,omitempty"`
	Shingles   []uint64 `json:"shingles,omitempty"`
	Words      int      `json:"words"`
	Title      []string `json:"title,omitempty"`
	HTML       bool     `json:"html"`
}

// errProbeFailed: the probe got no answer this time; not worth sharing.
var errProbeFailed = errors.New("soft-404 probe failed")

// probe runs (or, with Options.Probes, reads from the shared cache) the
// soft-404 probe for final's host and path shape.
func (c *Checker) probe(ctx context.Context, s *session, final *url.URL) *probeResult {
	if c.opts.Probes == nil {
		return c.runProbe(ctx, s, final)
	}
	var fresh *probeResult
	b, err := c.opts.Probes.Probe(ctx, "soft404", probeKey(final), hostCacheTTL, func(ctx context.Context) ([]byte, error) {
		fresh = c.runProbe(ctx, s, final)
		if fresh == nil || fresh.failed != "" {
			return nil, errProbeFailed
		}
		return json.Marshal(sharedProbe{Path: fresh.path, Status: fresh.status, Trusted: fresh.trusted,
			Redirected: fresh.redirected, Shingles: fresh.shingles, Words: fresh.words, Title: fresh.title, HTML: fresh.html})
	})
	if fresh != nil {
		return fresh
	}
	var sp sharedProbe
	if err == nil {
		err = json.Unmarshal(b, &sp)
	}
	if err != nil {
		// The shared cache failed us: ask the host ourselves.
		c.log.Warn("shared soft-404 probe cache", "key", probeKey(final), "err", err)
		return c.runProbe(ctx, s, final)
	}
	return &probeResult{path: sp.Path, status: sp.Status, trusted: sp.Trusted, redirected: sp.Redirected,
		shingles: sp.Shingles, words: sp.Words, title: sp.Title, html: sp.HTML}
}
