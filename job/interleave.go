package job

// interleaver reorders a stream so that consecutive items come from
// different hosts. The catalog yields links in document order, which is
// usually host by host; the crawler keeps at most per_host requests per host
// in flight, so a feed of one host at a time would leave most global slots
// idle. Only maxActive hosts take turns at a time (the others wait in
// order): rotating over every buffered host would make each host's
// keep-alive connections expire from the idle pool between its turns, and
// every check would pay a new TLS handshake. It holds at most limit items,
// so memory stays bounded.
type interleaver[T any] struct {
	limit, maxActive int
	queues           map[string][]T
	ring             []string // hosts taking turns
	waiting          []string // hosts with items, waiting for a turn
	next             int      // position in ring of the host to emit from
	n                int      // items held
}

func newInterleaver[T any](limit, maxActive int) *interleaver[T] {
	return &interleaver[T]{limit: limit, maxActive: max(maxActive, 1), queues: map[string][]T{}}
}

// push adds an item; when the buffer is full it returns the item to emit
// next (ok true).
func (il *interleaver[T]) push(host string, v T) (out T, ok bool) {
	q, seen := il.queues[host]
	if !seen {
		if len(il.ring) < il.maxActive {
			il.ring = append(il.ring, host)
		} else {
			il.waiting = append(il.waiting, host)
		}
	}
	il.queues[host] = append(q, v)
	il.n++
	if il.n <= il.limit {
		return out, false
	}
	return il.pop()
}

// pop returns the next item, one active host after another; ok is false
// when nothing is held.
func (il *interleaver[T]) pop() (out T, ok bool) {
	if il.n == 0 {
		return out, false
	}
	if il.next >= len(il.ring) {
		il.next = 0
	}
	host := il.ring[il.next]
	q := il.queues[host]
	out, q = q[0], q[1:]
	il.n--
	if len(q) > 0 {
		il.queues[host] = q
		il.next++
		return out, true
	}
	delete(il.queues, host)
	if len(il.waiting) > 0 {
		// The next waiting host takes the finished host's turn.
		il.ring[il.next] = il.waiting[0]
		il.waiting = il.waiting[1:]
		il.next++
	} else {
		il.ring = append(il.ring[:il.next], il.ring[il.next+1:]...)
	}
	return out, true
}
