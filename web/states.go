package web

import (
	"context"
	"sync"
	"time"

	"github.com/linkrot/linkrot/store"
)

// stateCountTTL is how long a count of links by state is reused. The
// store has no count query, so a count streams every link; the dashboard
// and each Prometheus scrape share one count at most this old, so that
// reloads and several scrapers cannot keep the catalog busy.
const stateCountTTL = 10 * time.Second

// stateCounter counts the catalog's links by state.
type stateCounter struct {
	cat interface {
		Links(ctx context.Context, f store.LinkFilter, fn func(store.Link) error) error
	}
	now func() time.Time
	ttl time.Duration

	// mu is held while counting, so concurrent callers wait for the one
	// count instead of each starting their own.
	mu     sync.Mutex
	at     time.Time
	keep   time.Duration // how long this count is reused: ttl, or longer if it was slow
	counts map[store.LinkState]int
}

// get returns the counts, at most ttl old (longer on a huge catalog).
func (c *stateCounter) get(ctx context.Context) (map[store.LinkState]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts != nil && c.now().Sub(c.at) < c.keep {
		return c.counts, nil
	}
	start := time.Now()
	counts, err := c.count(ctx)
	if err != nil {
		return nil, err
	}
	c.counts, c.at = counts, c.now()
	// On a catalog large enough for counting to take a while (about 7µs a
	// link on the development machine, so seconds for half a million), the
	// count is kept ten times as long as it took, so it never keeps the
	// catalog busy more than a tenth of the time.
	c.keep = max(c.ttl, 10*time.Since(start))
	return counts, nil
}

// count streams every link, unless the store can count by itself.
func (c *stateCounter) count(ctx context.Context) (map[store.LinkState]int, error) {
	if by, ok := c.cat.(interface {
		LinkStateCounts(context.Context) (map[store.LinkState]int, error)
	}); ok {
		return by.LinkStateCounts(ctx)
	}
	counts := map[store.LinkState]int{}
	err := c.cat.Links(ctx, store.LinkFilter{}, func(l store.Link) error {
		st := l.State
		if st == "" {
			st = store.StateUnchecked
		}
		counts[st]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// invalidate makes the next get count again (after a run changed states).
func (c *stateCounter) invalidate() {
	c.mu.Lock()
	c.counts = nil
	c.mu.Unlock()
}
