package job

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/linkrot/linkrot/store/postgres"
	"github.com/linkrot/linkrot/store/postgres/pgtest"
)

// TestOneSchedulerLeads runs two serve-like schedulers on one PostgreSQL
// catalog, each gated by its own Elector as Serve wires them: only the
// leader's schedule fires; when the leader's session is killed
// (pg_terminate_backend) it stops firing and the other takes over.
func TestOneSchedulerLeads(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.URL(t)
	open := func() *postgres.Store {
		s, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	pgA, pgB := open(), open()
	log := slog.New(slog.DiscardHandler)
	const retry, check = 150 * time.Millisecond, 100 * time.Millisecond

	var runsA, runsB atomic.Int64
	sched := func(e *Elector, n *atomic.Int64) *Scheduler {
		s, err := NewScheduler(SchedulerOptions{
			Schedule: cron.Every(time.Second), Logger: log, Leading: e.Leading,
			Run: func(context.Context, <-chan struct{}) (Summary, error) { n.Add(1); return Summary{}, nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
		return s
	}
	eA := Elect(ctx, pgA, "scheduler", retry, check, log)
	waitFor(t, "A to lead", eA.Leading)
	eB := Elect(ctx, pgB, "scheduler", retry, check, log)
	sched(eA, &runsA)
	sched(eB, &runsB)

	waitFor(t, "A's schedule to fire twice", func() bool { return runsA.Load() >= 2 })
	if eB.Leading() || runsB.Load() != 0 {
		t.Fatalf("B leads %v and ran %d times while A leads", eB.Leading(), runsB.Load())
	}

	// Kill the leader's session, as a crashed machine's would end.
	pid := eA.BackendPID()
	if pid == 0 {
		t.Fatal("A leads without a session")
	}
	if _, err := pgB.Pool().Exec(ctx, "SELECT pg_terminate_backend($1)", int32(pid)); err != nil {
		t.Fatal(err)
	}
	// A notices within its check interval (until then both may think
	// they lead; the job lock keeps their runs apart).
	waitFor(t, "A to notice", func() bool { return !eA.Leading() })
	waitFor(t, "B to take over", eB.Leading)
	frozen := runsA.Load()
	waitFor(t, "B's schedule to fire twice", func() bool { return runsB.Load() >= 2 })
	if n := runsA.Load(); n > frozen+1 { // one firing may have been under way
		t.Errorf("A fired %d more times after losing the leadership", n-frozen)
	}

	// A stopping leader gives the lock up at once.
	cancel()
	<-eA.Done()
	<-eB.Done()
}
