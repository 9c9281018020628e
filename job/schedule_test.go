package job

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// every fires d after each firing: sub-second, unlike cron's @every.
type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

// logBuffer collects a logger's lines for assertions.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSchedulerSkipsRunsThatWouldOverlap fires the schedule by hand (as
// cron does, through start) while a run is going: the firing is skipped
// and logged, never queued, and the next firing after the run starts one.
// No real timer is waited on.
func TestSchedulerSkipsRunsThatWouldOverlap(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	var running, maxRunning, runs, observed atomic.Int32
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	s, err := NewScheduler(SchedulerOptions{
		Schedule: every(time.Hour), Logger: logs.logger(),
		Run: func(ctx context.Context, stop <-chan struct{}) (Summary, error) {
			n := running.Add(1)
			defer running.Add(-1)
			for {
				m := maxRunning.Load()
				if n <= m || maxRunning.CompareAndSwap(m, n) {
					break
				}
			}
			started <- struct{}{}
			<-release
			return Summary{RunID: int64(runs.Add(1)), Status: "ok"}, nil
		},
		Observe: func(Summary, time.Duration) { observed.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !s.start("schedule") {
		t.Fatal("the first firing started no run")
	}
	<-started
	if s.start("schedule") {
		t.Error("a firing during a run started another")
	}
	close(release)
	waitFor(t, "the first run", func() bool { return runs.Load() == 1 && !s.Status().Running })
	if !s.start("schedule") {
		t.Error("the firing after the run started none")
	}
	waitFor(t, "two runs", func() bool { return runs.Load() == 2 })
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if maxRunning.Load() != 1 {
		t.Errorf("%d runs at once", maxRunning.Load())
	}
	if !strings.Contains(logs.String(), "run skipped: the previous run is still going") {
		t.Errorf("no skip logged:\n%s", logs.String())
	}
	if observed.Load() != runs.Load() {
		t.Errorf("observed %d of %d runs", observed.Load(), runs.Load())
	}
	if s.RunNow() {
		t.Error("RunNow started a run after Shutdown")
	}
}

func TestSchedulerRunNowAndStatus(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	now := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	release := make(chan struct{})
	results := make(chan error, 3)
	var observed atomic.Int32
	s, err := NewScheduler(SchedulerOptions{
		Schedule: every(time.Hour), Logger: logs.logger(), Now: func() time.Time { return now },
		Run: func(ctx context.Context, stop <-chan struct{}) (Summary, error) {
			<-release
			err := <-results
			if errors.Is(err, ErrJobRunning) {
				return Summary{}, err
			}
			if err != nil && err.Error() == "panic" {
				panic("boom")
			}
			return Summary{RunID: 7, Status: "ok", Checked: 3}, err
		},
		Observe: func(Summary, time.Duration) { observed.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Running || !st.NextRun.Equal(now.Add(time.Hour)) || st.LastRun != nil {
		t.Fatalf("status before any run: %+v", st)
	}
	if !s.RunNow() {
		t.Fatal("RunNow did not start a run")
	}
	if s.RunNow() {
		t.Error("a second RunNow started while the first was running")
	}
	if !s.Status().Running {
		t.Error("status does not say running")
	}
	results <- nil
	release <- struct{}{}
	waitFor(t, "the run to end", func() bool { return !s.Status().Running })
	st := s.Status()
	if st.LastRun == nil || st.LastRun.RunID != 7 || st.LastError != "" {
		t.Fatalf("after the run: %+v", st)
	}

	// Another process holds the lock: skipped, not a run.
	results <- fmt.Errorf("%w (4242@otherhost)", ErrJobRunning)
	s.RunNow()
	release <- struct{}{}
	waitFor(t, "the skipped run", func() bool { return !s.Status().Running })
	st = s.Status()
	if st.LastRun == nil || st.LastRun.RunID != 7 || !strings.Contains(st.LastError, "another linkrot job is running") {
		t.Errorf("after a lock skip: %+v", st)
	}
	if !strings.Contains(logs.String(), "another process holds the job lock") {
		t.Errorf("lock skip not logged:\n%s", logs.String())
	}

	// A panicking run is an error, not a crash.
	results <- errors.New("panic")
	s.RunNow()
	release <- struct{}{}
	waitFor(t, "the panicking run", func() bool { return !s.Status().Running })
	if st := s.Status(); !strings.Contains(st.LastError, "run panicked: boom") {
		t.Errorf("after a panic: %+v", st)
	}
	if observed.Load() != 1 {
		t.Errorf("observed %d runs, want 1 (skips and panics are not runs)", observed.Load())
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !s.Status().NextRun.IsZero() {
		t.Error("a stopped scheduler has no next run")
	}
}

func TestSchedulerShutdownLetsTheRunFinishThenCancels(t *testing.T) {
	t.Parallel()
	// A run that honours stop ends gently: its context is still live.
	var gentle atomic.Bool
	s, err := NewScheduler(SchedulerOptions{
		Schedule: every(time.Hour), Logger: slog.New(slog.DiscardHandler),
		Run: func(ctx context.Context, stop <-chan struct{}) (Summary, error) {
			<-stop
			gentle.Store(ctx.Err() == nil)
			return Summary{RunID: 1, Status: "interrupted"}, ErrStopped
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.RunNow()
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !gentle.Load() {
		t.Error("the run's context was cancelled before it could finish")
	}

	// A run that does not end by the deadline is cancelled, and Shutdown
	// still waits for it to return.
	var returned atomic.Bool
	s, err = NewScheduler(SchedulerOptions{
		Schedule: every(time.Hour), Logger: slog.New(slog.DiscardHandler),
		Run: func(ctx context.Context, stop <-chan struct{}) (Summary, error) {
			<-ctx.Done()
			returned.Store(true)
			return Summary{RunID: 2, Status: "interrupted"}, ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.RunNow()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v", err)
	}
	if !returned.Load() {
		t.Error("Shutdown returned before the run did")
	}
}
