package job

// interleaver reorders a stream so that consecutive items come from
// different hosts. The catalog yields links in document order, which is
// usually host by host; the crawler keeps at most per_host requests per host
// in flight, so a feed of one host at a time would leave most of the global
// slots idle. It holds at most limit items, so memory stays bounded.
type interleaver[T any] struct {
	limit  int
	queues map[string][]T
	ring   []string // hosts with queued items, in round-robin order
	next   int      // position in ring of the host to emit from
	n      int      // items held
}

func newInterleaver[T any](limit int) *interleaver[T] {
	return &interleaver[T]{limit: limit, queues: map[string][]T{}}
}

// push adds an item; when the buffer is full it returns the item to emit
// next (ok true).
func (il *interleaver[T]) push(host string, v T) (out T, ok bool) {
	q, seen := il.queues[host]
	if !seen {
		il.ring = append(il.ring, host)
	}
	il.queues[host] = append(q, v)
	il.n++
	if il.n <= il.limit {
		return out, false
	}
	return il.pop()
}

// pop returns the next item, one host after another; ok is false when
// nothing is held.
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
	if len(q) == 0 {
		delete(il.queues, host)
		il.ring = append(il.ring[:il.next], il.ring[il.next+1:]...)
	} else {
		il.queues[host] = q
		il.next++
	}
	return out, true
}
