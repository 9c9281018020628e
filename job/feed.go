package job

import (
	"context"
	"math"
	"time"

	"github.com/linkrot/linkrot/store"
)

// pageSize is how many due links of one host are read at a time.
const pageSize = 64

// hostCursor is one active host's place in its due links.
type hostCursor struct {
	host   string
	page   []store.DueLink
	lastID int64
	done   bool // no more pages to read
}

// feed hands every due link to send, taking them from ActiveHosts hosts at
// a time, one link per host in turn. Links are stored in the order
// documents listed them, usually host by host; the crawler keeps at most
// per_host requests per host in flight, so a feed of one host at a time
// would leave most global slots idle, and rotating over every host would
// let each host's keep-alive connections expire between its turns. Memory
// is a page per active host, whatever the size of the catalog.
//
// A host with HostBacklog links out and not back is passed over until one
// comes back: a slow host would otherwise fill the crawler's queue, one
// link a turn, until only its links were waiting and every other host
// stood still. When every active host is passed over the feed waits: the
// active hosts then ask for at least twice the crawler's slots (see
// ActiveHosts), and taking more hosts would spread the run over more
// connections than the transport keeps idle, which costs a new connection
// (and TLS handshake) per request. A wait longer than BacklogWait hands out
// one more link anyway, so a result that never comes back cannot stall the
// run.
func (r *run) feed(ctx context.Context, now time.Time, send func(store.DueLink) error) error {
	var (
		active     []*hostCursor
		lastHost   string
		hostsSpent bool
	)
	turn, err := r.turnSize(ctx, now)
	if err != nil {
		return err
	}
	force := false       // hand out the next link even to a backlogged host
	var wait *time.Timer // one timer for every wait, not one per wait
	defer func() {
		if wait != nil {
			wait.Stop()
		}
	}()
	for {
		for !hostsSpent && len(active) < turn {
			n := 0
			err := r.cat.DueHosts(ctx, now, r.opts.All, lastHost, turn-len(active), func(h string) error {
				active = append(active, &hostCursor{host: h})
				lastHost = h
				n++
				return nil
			})
			if err != nil {
				return err
			}
			hostsSpent = n == 0
		}
		if len(active) == 0 {
			return nil
		}
		sent := 0
		for i := 0; i < len(active); {
			c := active[i]
			if len(c.page) == 0 && !c.done {
				if err := r.nextPage(ctx, now, c); err != nil {
					return err
				}
			}
			if len(c.page) == 0 {
				active = append(active[:i], active[i+1:]...)
				continue
			}
			i++
			if !force && r.backlogged(c.host) {
				continue
			}
			force = false
			l := c.page[0]
			c.page = c.page[1:]
			if err := send(l); err != nil {
				return err
			}
			sent++
		}
		if sent > 0 || len(active) == 0 {
			continue
		}
		if wait == nil {
			wait = time.NewTimer(r.backlogWait())
		} else {
			wait.Reset(r.backlogWait())
		}
		select {
		case <-r.back:
		case <-wait.C:
			// Nothing came back for a while: hand out one more link
			// anyway, so that no lost result can stall the feed for good.
			force = true
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// backlogWait is how long the feed waits for a link to come back before
// it hands one more out regardless (see feed): Options.BacklogWait, or a
// second.
func (r *run) backlogWait() time.Duration {
	if r.opts.BacklogWait > 0 {
		return r.opts.BacklogWait
	}
	return time.Second
}

// backlogged says the host has HostBacklog links out already.
func (r *run) backlogged(host string) bool {
	if r.opts.HostBacklog <= 0 {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hostOut[host] >= r.opts.HostBacklog
}

// linkBack counts a link of host back from the crawler and wakes a feed
// waiting for one; r.mu is held.
func (r *run) linkBack(host string) {
	if n, ok := r.hostOut[host]; ok {
		if n <= 1 {
			delete(r.hostOut, host)
		} else {
			r.hostOut[host] = n - 1
		}
	}
	select {
	case r.back <- struct{}{}:
	default:
	}
}

// turnSize is how many hosts take turns at a time: ActiveHosts, evened
// out over the hosts that are due. Hosts of the same size that start
// together finish together, so 200 hosts taken 32 at a time end with a
// turn of 8, in which per_host 2 lets the run use 16 of its 32 slots;
// 7 turns of 29 never fall below the hosts needed to fill them.
func (r *run) turnSize(ctx context.Context, now time.Time) (int, error) {
	most := r.opts.ActiveHosts
	hosts := 0
	err := r.cat.DueHosts(ctx, now, r.opts.All, "", math.MaxInt32, func(string) error { hosts++; return nil })
	if err != nil || hosts <= most {
		return most, err
	}
	turns := (hosts + most - 1) / most
	return (hosts + turns - 1) / turns, nil
}

func (r *run) nextPage(ctx context.Context, now time.Time, c *hostCursor) error {
	c.page = c.page[:0]
	err := r.cat.DueLinksOfHost(ctx, now, r.opts.All, store.DueQuery{Host: c.host, AfterID: c.lastID, Limit: pageSize}, func(l store.DueLink) error {
		c.page = append(c.page, l)
		c.lastID = l.ID
		return nil
	})
	c.done = len(c.page) < pageSize
	return err
}
