package crawler

import (
	"container/list"
	"context"
	"sync"
)

// budget caps the response bytes held in memory by all checks in flight
// (crawler.max_buffered). Bytes are reserved before they are read and given
// back when the check's result has been handed on.
//
// The cap is split into pools acquired in a fixed order, so that no check
// ever waits for bytes while holding bytes another waiter needs:
//   - main: a prefix-sized reservation for each attempt on the link itself,
//     taken before the request is sent (blocking, holding nothing else);
//   - aux: robots.txt and soft-404 probes, taken while a check may hold
//     main but never the other way round;
//   - growth beyond the prefix (a body kept whole for the archive) is only
//     ever tried without waiting; when it is not there the body is not
//     kept this time, which changes what is archived, never the verdict.
type budget struct {
	main, aux *pool
}

// auxShare is the part of max_buffered set aside for robots.txt and probes.
const auxShare = 4

func newBudget(total int64) *budget {
	aux := max(total/auxShare, 1)
	return &budget{main: newPool(total - aux), aux: newPool(aux)}
}

// pool is a counting semaphore over bytes that serves waiters in order.
type pool struct {
	mu      sync.Mutex
	size    int64
	free    int64
	waiters list.List // of *waiter
}

type waiter struct {
	n     int64
	ready chan struct{}
}

func newPool(size int64) *pool { return &pool{size: size, free: size} }

// acquire reserves n bytes (at most the pool's size, so that one request
// can always go ahead alone), waiting until they are free or ctx ends.
func (p *pool) acquire(ctx context.Context, n int64) (*hold, error) {
	n = min(n, p.size)
	p.mu.Lock()
	if p.waiters.Len() == 0 && p.free >= n {
		p.free -= n
		p.mu.Unlock()
		return &hold{p: p, n: n}, nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	el := p.waiters.PushBack(w)
	p.mu.Unlock()
	select {
	case <-w.ready:
		return &hold{p: p, n: n}, nil
	case <-ctx.Done():
		p.mu.Lock()
		select {
		case <-w.ready:
			// Granted while giving up: hand the bytes back.
			p.free += n
		default:
			p.waiters.Remove(el)
		}
		p.wake()
		p.mu.Unlock()
		return nil, ctx.Err()
	}
}

// tryGrow adds n bytes to h if they are free now and nobody waits.
func (p *pool) tryGrow(h *hold, n int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.waiters.Len() > 0 || p.free < n {
		return false
	}
	p.free -= n
	h.n += n
	return true
}

func (p *pool) put(n int64) {
	p.mu.Lock()
	p.free += n
	p.wake()
	p.mu.Unlock()
}

// wake grants waiters in order while the first one fits. Called with mu.
func (p *pool) wake() {
	for p.waiters.Len() > 0 {
		el := p.waiters.Front()
		w := el.Value.(*waiter)
		if p.free < w.n {
			return
		}
		p.free -= w.n
		p.waiters.Remove(el)
		close(w.ready)
	}
}

// inUse is how many bytes are reserved, for tests and benchmarks.
func (p *pool) inUse() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.size - p.free
}

// hold is one reservation. A nil hold is valid and holds nothing.
type hold struct {
	p *pool
	n int64
}

// grow tries to add n bytes without waiting.
func (h *hold) grow(n int64) bool {
	if h == nil {
		return true
	}
	if n <= 0 {
		return true
	}
	return h.p.tryGrow(h, n)
}

// release gives every byte back; calling it twice is harmless.
func (h *hold) release() {
	if h == nil || h.n == 0 {
		return
	}
	n := h.n
	h.n = 0
	h.p.put(n)
}
