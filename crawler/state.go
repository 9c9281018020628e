package crawler

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/store"
)

// DefaultJitter is the Jitter PolicyFrom sets: next checks come up to 10%
// of the interval early.
const DefaultJitter = 0.1

// Policy decides when a failing link is dead and when each link is next
// due. It is plain data so that tests can state it outright.
type Policy struct {
	// A link is dead after at least Failures consecutive failing checks
	// whose first and last are at least MinSpan apart. Both conditions are
	// needed: three failures in one bad hour are not death, and neither is
	// one failure three days ago.
	Failures int
	MinSpan  time.Duration

	// How long a link waits for its next check, by the state it ends in.
	// Blocked and excluded links wait RecheckAlive: nothing is known about
	// them, so checking them more often than working links would only
	// annoy the site (blocked) or find nothing (excluded, re-judged
	// against the configuration each time it is due).
	RecheckAlive, RecheckSuspect, RecheckDead time.Duration

	// Jitter brings each next check forward by up to this fraction of its
	// interval, by an amount fixed per URL (a hash of Observation.URL).
	// Links first found together (one big import) would otherwise stay in
	// lock step and all come due on the same night forever; a per-URL
	// offset spreads them, and being derived from the URL it is the same on
	// every run and in every test. 0 turns it off; values outside [0, 1)
	// are clamped.
	Jitter float64
}

// PolicyFrom builds the policy from the configuration, with DefaultJitter.
func PolicyFrom(r config.Recheck, d config.DeadAfter) Policy {
	return Policy{
		Failures:       d.Failures,
		MinSpan:        time.Duration(d.MinSpan),
		RecheckAlive:   time.Duration(r.Alive),
		RecheckSuspect: time.Duration(r.Suspect),
		RecheckDead:    time.Duration(r.Dead),
		Jitter:         DefaultJitter,
	}
}

// LinkStatus is what the catalog keeps per link between checks; the
// state machine reads and writes it.
type LinkStatus = store.LinkStatus

// Observation is one finished check, as the state machine needs it.
type Observation struct {
	URL       string // the link checked; only used for jitter
	Class     Class
	FinalURL  string // after redirects
	Permanent bool   // every redirect on the way was permanent (301/308)
	CheckedAt time.Time
}

// Transition says what a check did to a link, for reports and logs.
type Transition struct {
	From, To store.LinkState
	// NewlyDead: the link is dead now and was not before this check.
	NewlyDead bool
	// Recovered: the link was dead and this check succeeded.
	Recovered bool
	Reason    string // one line for people, never parsed
}

// Changed reports whether the state name changed.
func (t Transition) Changed() bool { return t.From != t.To }

// Next applies one observation to a link's status and returns the new
// status, when the link is next due, and what changed. It is pure: time
// comes only from o.CheckedAt.
//
// The rules (DESIGN.md, "Link states"):
//   - ok (or a redirect that was not permanent) → alive; a success resets
//     the failure streak, so one good check undoes any number of bad ones.
//   - a success through permanent redirects to a FinalURL → moved, with
//     MovedTo = FinalURL; it is a success too.
//   - a failure (Class.IsFailure: hard or transient) → suspect, or dead
//     once Policy.Failures consecutive failures span at least
//     Policy.MinSpan. A dead link stays dead while it keeps failing.
//   - a blocked class → blocked. The site refuses us, so it says nothing
//     about the resource: never dead, and the failure streak is neither
//     extended nor broken.
//   - excluded → excluded, streak untouched.
//   - deferred (a Retry-After longer than crawler.max_retry_wait) changes
//     nothing: the link was not judged. protocol_error is a transient
//     failure, like a refused connection.
//   - network_down, and any class Next does not know (ClassUnknown, a
//     class added later), changes nothing: it is the checker's own trouble,
//     and guessing would cry wolf. The link is retried after
//     RecheckSuspect.
//
// Next checks are due RecheckAlive after alive, moved, blocked and
// excluded, RecheckSuspect after suspect, RecheckDead after dead, each
// brought forward by the URL's jitter (Policy.Jitter).
//
// The next check is exactly an interval after CheckedAt, so a link checked
// ten minutes into last night's run is due ten minutes after tonight's run
// starts. The job should therefore ask the store for links due by the run's
// start plus a margin (say an hour), not by its start alone, or such links
// slip a whole night.
func (p Policy) Next(prev LinkStatus, o Observation) (LinkStatus, time.Time, Transition) {
	from := prev.State
	if from == "" {
		from = store.StateUnchecked
	}
	next := prev
	next.State = from
	var (
		interval time.Duration
		reason   string
	)

	switch c := o.Class; {
	case c.IsSuccess():
		next.ConsecutiveFailures = 0
		next.FirstFailure = time.Time{}
		next.LastSuccess = o.CheckedAt
		// ClassOK with Permanent is accepted too: whether a redirected
		// success is classed ok or redirect is the fetcher's business,
		// what matters here is that every hop was permanent.
		if o.Permanent && o.FinalURL != "" {
			next.State = store.StateMoved
			next.MovedTo = o.FinalURL
			reason = fmt.Sprintf("%s: works through a permanent redirect to %s", c, o.FinalURL)
		} else {
			next.State = store.StateAlive
			next.MovedTo = ""
			reason = fmt.Sprintf("%s: check succeeded", c)
		}
		interval = p.RecheckAlive

	case c.IsFailure():
		if next.ConsecutiveFailures <= 0 || next.FirstFailure.IsZero() {
			// A new streak. (A count without a start time can only come
			// from damaged data; restarting the streak errs on the side
			// of not calling the link dead.)
			next.ConsecutiveFailures = 0
			next.FirstFailure = o.CheckedAt
		}
		next.ConsecutiveFailures++
		span := o.CheckedAt.Sub(next.FirstFailure)
		// Dead is a confirmed verdict: more failures only reinforce it,
		// even if the policy has since been made stricter.
		if from == store.StateDead || next.ConsecutiveFailures >= p.Failures && span >= p.MinSpan {
			next.State = store.StateDead
			interval = p.RecheckDead
			reason = fmt.Sprintf("%s: %d consecutive failures over %v (dead after %d over %v)",
				c, next.ConsecutiveFailures, span, p.Failures, p.MinSpan)
			if from == store.StateDead {
				reason = fmt.Sprintf("%s: still dead, %d consecutive failures over %v",
					c, next.ConsecutiveFailures, span)
			}
		} else {
			next.State = store.StateSuspect
			interval = p.RecheckSuspect
			reason = fmt.Sprintf("%s: failure %d over %v, not yet dead (needs %d over %v)",
				c, next.ConsecutiveFailures, span, p.Failures, p.MinSpan)
		}

	case c.IsBlocked():
		next.State = store.StateBlocked
		interval = p.RecheckAlive
		reason = fmt.Sprintf("%s: the site refuses us, so whether it is dead cannot be known", c)

	case c == ClassExcluded:
		next.State = store.StateExcluded
		interval = p.RecheckAlive
		reason = "excluded by configuration"

	default:
		// network_down and unknown classes: the status is returned as it
		// came, including an empty State.
		next = prev
		interval = p.RecheckSuspect
		switch c {
		case ClassNetworkDown:
			reason = "network_down: the checker's own network was down; nothing changed"
		case ClassDeferred:
			reason = "deferred: the site asked for a longer pause than crawler.max_retry_wait; nothing changed, checked again in a later run"
		default:
			reason = fmt.Sprintf("%s: not a class the state machine knows; nothing changed", c)
		}
		return next, p.due(o, interval), Transition{From: from, To: from, Reason: reason}
	}

	t := Transition{
		From:      from,
		To:        next.State,
		NewlyDead: next.State == store.StateDead && from != store.StateDead,
		Recovered: from == store.StateDead && o.Class.IsSuccess(),
		Reason:    reason,
	}
	return next, p.due(o, interval), t
}

// due is CheckedAt + interval, brought forward by the URL's jitter.
func (p Policy) due(o Observation, interval time.Duration) time.Time {
	return o.CheckedAt.Add(interval - p.jitter(o.URL, interval))
}

// jitter is a fraction of interval fixed by url: FNV-1a of the URL mapped
// onto [0, Jitter). FNV is not for security; it only has to spread URLs
// evenly and be the same on every machine.
func (p Policy) jitter(url string, interval time.Duration) time.Duration {
	j := p.Jitter
	if url == "" || j <= 0 || interval <= 0 {
		return 0
	}
	j = min(j, 0.99)
	h := fnv.New64a()
	h.Write([]byte(url))
	frac := float64(h.Sum64()>>11) / (1 << 53) // [0, 1) with float64's full precision
	return time.Duration(frac * j * float64(interval))
}
