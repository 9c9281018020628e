package crawler

import (
	"context"
	"sync"
)

// limiter bounds checks in flight: at most perHost to one host and at most
// global in all. It sits in front of colly instead of colly's LimitRule,
// whose one semaphore is shared by every domain its glob matches ("*" with
// Parallelism 2 means 2 requests in total, not 2 per host).
//
// A check takes its host's slot first and then a global one, so checks
// waiting for a busy host never hold global slots that other hosts could
// use. Per-host entries exist only while some check holds or waits for
// them: an idle host costs nothing.
type limiter struct {
	global  chan struct{}
	perHost int

	mu    sync.Mutex
	hosts map[string]*hostSlots
}

type hostSlots struct {
	ch   chan struct{}
	refs int // checks holding or waiting for a slot
}

func newLimiter(global, perHost int) *limiter {
	return &limiter{global: make(chan struct{}, global), perHost: perHost, hosts: make(map[string]*hostSlots)}
}

// ticket is a check's hold on its slots.
type ticket struct {
	l      *limiter
	host   string
	hs     *hostSlots
	global bool
}

// acquire waits for a slot on host and a global slot.
func (l *limiter) acquire(ctx context.Context, host string) (*ticket, error) {
	l.mu.Lock()
	hs := l.hosts[host]
	if hs == nil {
		hs = &hostSlots{ch: make(chan struct{}, l.perHost)}
		l.hosts[host] = hs
	}
	hs.refs++
	l.mu.Unlock()
	t := &ticket{l: l, host: host, hs: hs}
	select {
	case hs.ch <- struct{}{}:
	case <-ctx.Done():
		l.unref(host, hs)
		return nil, ctx.Err()
	}
	if err := t.resume(ctx); err != nil {
		<-hs.ch
		l.unref(host, hs)
		return nil, err
	}
	return t, nil
}

func (l *limiter) unref(host string, hs *hostSlots) {
	l.mu.Lock()
	hs.refs--
	if hs.refs == 0 {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}

// pause gives the global slot back while the check only waits (backoff,
// Retry-After); the host slot is kept, since the wait is that host's
// request to slow down.
func (t *ticket) pause() {
	if t != nil && t.global {
		<-t.l.global
		t.global = false
	}
}

// resume takes a global slot again.
func (t *ticket) resume(ctx context.Context) error {
	if t == nil || t.global {
		return nil
	}
	select {
	case t.l.global <- struct{}{}:
		t.global = true
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *ticket) release() {
	t.pause()
	<-t.hs.ch
	t.l.unref(t.host, t.hs)
}
