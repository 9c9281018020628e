package crawler

import (
	"context"
	"io"
	"sync"
)

// HostGate holds per-host limits that are wider than one Checker: several
// worker processes sharing a database (store/postgres host slots) must
// keep a host's concurrency and interval together. The crawler asks it
// before every request (checks, retries, redirect hops, robots.txt,
// probes), after its own per-process limits and pacing.
type HostGate interface {
	// Enter waits until a request to host may start and returns leave,
	// which the crawler calls once when the request is over (its body
	// closed, or it failed). An error (ctx ended) fails the request.
	Enter(ctx context.Context, host string) (leave func(), err error)
}

// gatedBody calls leave when the response body is closed, so the request
// counts as in flight while its body is read.
type gatedBody struct {
	io.ReadCloser
	once  sync.Once
	leave func()
}

func (b *gatedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.leave)
	return err
}
