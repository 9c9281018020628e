package crawler

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// onceCache remembers one value per key, computing it once even when many
// checks ask at the same time (the others wait for the first), and forgets
// the least recently used keys beyond size, and any key after ttl. It is
// how robots.txt and soft-404 probes are fetched once per host.
type onceCache[V any] struct {
	size int
	ttl  time.Duration

	mu    sync.Mutex
	items map[string]*list.Element
	lru   *list.List // front: most recently used
}

type onceEntry[V any] struct {
	key   string
	ready chan struct{} // closed when val is set
	val   V
	ok    bool // val may be used; false: the filler gave up, ask again
	at    time.Time
}

func newOnceCache[V any](size int, ttl time.Duration) *onceCache[V] {
	return &onceCache[V]{size: size, ttl: ttl, items: make(map[string]*list.Element), lru: list.New()}
}

// slotHolder is a check's hold on the crawler's global slots (a *ticket),
// given back while the check only waits for another check's fetch.
type slotHolder interface {
	pause()
	resume(context.Context) error
}

// get returns the value for key, calling fill if there is none. fill
// reports false when its value must not be kept (it was cut short); the
// callers waiting for it then try again themselves. A caller that has to
// wait for another's fill pauses idle (may be nil) meanwhile: the second
// check of a new host would otherwise hold a global slot, unused, through
// the first check's robots.txt and probe requests.
func (c *onceCache[V]) get(ctx context.Context, key string, idle slotHolder, fill func() (V, bool)) (V, error) {
	for {
		c.mu.Lock()
		if el, ok := c.items[key]; ok {
			e := el.Value.(*onceEntry[V])
			select {
			case <-e.ready:
				if time.Since(e.at) > c.ttl {
					c.lru.Remove(el)
					delete(c.items, key)
					c.mu.Unlock()
					continue
				}
			default:
			}
			c.lru.MoveToFront(el)
			c.mu.Unlock()
			select {
			case <-e.ready:
			default:
				if idle != nil {
					idle.pause()
				}
				select {
				case <-e.ready:
				case <-ctx.Done():
					var zero V
					return zero, ctx.Err()
				}
				if idle != nil {
					if err := idle.resume(ctx); err != nil {
						var zero V
						return zero, err
					}
				}
			}
			if e.ok {
				return e.val, nil
			}
			continue // the filler gave up; its entry is gone
		}
		e := &onceEntry[V]{key: key, ready: make(chan struct{})}
		c.items[key] = c.lru.PushFront(e)
		for c.lru.Len() > c.size {
			old := c.lru.Back()
			c.lru.Remove(old)
			delete(c.items, old.Value.(*onceEntry[V]).key)
		}
		c.mu.Unlock()

		v, ok := fill()
		c.mu.Lock()
		e.val, e.ok, e.at = v, ok, time.Now()
		if !ok {
			if el, found := c.items[key]; found && el.Value == e {
				c.lru.Remove(el)
				delete(c.items, key)
			}
		}
		close(e.ready)
		c.mu.Unlock()
		return v, nil
	}
}
