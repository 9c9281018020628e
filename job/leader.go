package job

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/linkrot/linkrot/store/postgres"
)

// Leadership of the schedule on a PostgreSQL catalog: of several `linkrot
// serve` processes, only the one holding the advisory lock "scheduler"
// (store/postgres.Campaign) fires the cron schedule. The others serve the
// UI and keep campaigning; when the leader dies, its session ends, the
// lock is freed and one of them leads within electRetry (plus the
// server's noticing a dead peer: TCP keepalives of about 25 s, set by
// TryLead). Manual runs ("Run now") are not gated: the job lock keeps
// them from overlapping with the leader's.

// Election intervals: how often a follower tries for the lock, and how
// often the leader checks its connection. A takeover takes at most about
// their sum after the old leader's session is gone.
const (
	electRetry = 10 * time.Second
	electCheck = 5 * time.Second
)

// Elector campaigns for one leadership until its context ends.
type Elector struct {
	leading atomic.Bool
	leader  atomic.Pointer[postgres.Leader]
	done    chan struct{}
}

// Elect starts campaigning for name on pg. Leading reports whether this
// process leads right now; when ctx ends the leadership is released.
func Elect(ctx context.Context, pg *postgres.Store, name string, retry, check time.Duration, log *slog.Logger) *Elector {
	e := &Elector{done: make(chan struct{})}
	go e.campaign(ctx, pg, name, retry, check, log)
	return e
}

// Leading reports whether this process holds the leadership.
func (e *Elector) Leading() bool { return e.leading.Load() }

// Done is closed once the campaign has ended and any leadership has been
// given up.
func (e *Elector) Done() <-chan struct{} { return e.done }

// BackendPID is the database session holding the lock while leading (0
// otherwise), for operators and tests.
func (e *Elector) BackendPID() uint32 {
	if l := e.leader.Load(); l != nil && e.Leading() {
		return l.BackendPID()
	}
	return 0
}

func (e *Elector) campaign(ctx context.Context, pg *postgres.Store, name string, retry, check time.Duration, log *slog.Logger) {
	defer close(e.done)
	for ctx.Err() == nil {
		l, err := pg.Campaign(ctx, name, retry, check)
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("leader election", "name", name, "err", err)
				_ = sleepCtx(ctx, retry)
			}
			continue
		}
		e.leader.Store(l)
		e.leading.Store(true)
		log.Info("leading", "name", name)
		select {
		case <-l.Lost():
			e.leading.Store(false)
			log.Warn("leadership lost; campaigning again", "name", name)
			// A process whose session was cut is likely in trouble:
			// it lets the others (who retry every retry) go first.
			_ = sleepCtx(ctx, 2*retry)
		case <-ctx.Done():
			e.leading.Store(false)
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = l.Release(rctx)
			cancel()
		}
	}
}
