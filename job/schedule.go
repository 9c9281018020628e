package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// RunFunc runs one whole job (serve wires RunPipeline). Cancelling ctx
// abandons the requests in flight; closing stop asks for a gentle end
// (Options.Stop).
type RunFunc func(ctx context.Context, stop <-chan struct{}) (Summary, error)

// SchedulerOptions configure a Scheduler.
type SchedulerOptions struct {
	Schedule cron.Schedule // from config.ParseSchedule
	Run      RunFunc
	Now      func() time.Time // time.Now when nil
	Logger   *slog.Logger     // slog.Default() when nil
	// Observe hears about every run that began (its summary and how long
	// the whole job took), for metrics. Called from the run's goroutine.
	Observe func(Summary, time.Duration)
	// Leading, when set, gates the schedule: a firing while it reports
	// false is skipped (another process leads, see Elector). RunNow is
	// not gated.
	Leading func() bool
}

// SchedulerStatus is what the dashboard shows (web.Status is this type).
type SchedulerStatus struct {
	Running   bool
	NextRun   time.Time // zero before Start and after Shutdown
	LastRun   *Summary  // nil until a run has finished
	LastError string    // why the last attempt failed or was skipped; "" if it did not
}

// Scheduler runs a job on a cron schedule and on demand, one run at a time
// in this process; the job lock keeps other processes out. A run that is
// due while another is still going is skipped and logged, never queued:
// the next one checks whatever is due by then. This is cron's
// SkipIfStillRunning, extended to RunNow, which cron does not know about.
type Scheduler struct {
	opts  SchedulerOptions
	cron  *cron.Cron
	entry cron.EntryID

	// ctx is every run's context; cancel abandons what is in flight.
	ctx    context.Context
	cancel context.CancelFunc
	stop   chan struct{} // closed by Shutdown: runs end gently
	wg     sync.WaitGroup

	mu       sync.Mutex
	running  bool
	started  time.Time // of the running run
	closed   bool
	lastRun  *Summary
	lastErr  string
	stopOnce sync.Once
}

// NewScheduler returns a Scheduler that has not started yet.
func NewScheduler(o SchedulerOptions) (*Scheduler, error) {
	if o.Schedule == nil || o.Run == nil {
		return nil, errors.New("scheduler: a schedule and a run function are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Scheduler{opts: o, stop: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	// cron only decides when. Each firing returns at once (the run has its
	// own goroutine), so cron's SkipIfStillRunning would never see an
	// overlap: start does the skipping, for RunNow as well, and recovers a
	// panicking run.
	s.cron = cron.New(cron.WithLogger(cronLogger{o.Logger}))
	s.entry = s.cron.Schedule(o.Schedule, cron.FuncJob(func() {
		if o.Leading != nil && !o.Leading() {
			o.Logger.Debug("scheduled run left to the leader: another serve process leads the schedule")
			return
		}
		s.start("schedule")
	}))
	return s, nil
}

// Start begins firing on the schedule.
func (s *Scheduler) Start() { s.cron.Start() }

// RunNow starts a run in the background unless one is running (or the
// scheduler is shutting down); it reports whether it started one.
func (s *Scheduler) RunNow() bool { return s.start("manual") }

// Status reports whether a run is going, when the next is due and how the
// last one went.
func (s *Scheduler) Status() SchedulerStatus {
	s.mu.Lock()
	st := SchedulerStatus{Running: s.running, LastError: s.lastErr}
	if s.lastRun != nil {
		last := *s.lastRun
		st.LastRun = &last
	}
	closed := s.closed
	s.mu.Unlock()
	if !closed {
		// Entry is only filled in once cron runs; before that the
		// schedule itself says when the first run will be.
		if e := s.cron.Entry(s.entry); e.Valid() && !e.Next.IsZero() {
			st.NextRun = e.Next
		} else {
			st.NextRun = s.opts.Schedule.Next(s.opts.Now())
		}
	}
	return st
}

// Shutdown stops taking work and ends the run in flight gently: the
// crawler finishes (or times out) the checks it has taken and they are
// committed. When ctx ends first, the rest are abandoned (the next run
// checks them) and Shutdown still waits for the run to commit its end.
// It returns ctx's error in that case.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	running := s.running
	s.mu.Unlock()
	<-s.cron.Stop().Done() // no job of ours outlives its firing
	s.stopOnce.Do(func() { close(s.stop) })
	if running {
		s.opts.Logger.Info("waiting for the run in flight to finish its checks")
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.opts.Logger.Warn("shutdown grace period over: abandoning the checks still in flight; the next run checks them")
		s.cancel()
		<-done
		return ctx.Err()
	}
}

// start begins a run unless one is going; trigger is "schedule" or
// "manual", for the log.
func (s *Scheduler) start(trigger string) bool {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return false
	case s.running:
		since := s.started
		s.mu.Unlock()
		s.opts.Logger.Warn("run skipped: the previous run is still going",
			"trigger", trigger, "running_since", since.Format(time.RFC3339))
		return false
	}
	s.running = true
	s.started = s.opts.Now()
	s.wg.Add(1)
	s.mu.Unlock()
	go s.run(trigger)
	return true
}

func (s *Scheduler) run(trigger string) {
	defer s.wg.Done()
	start := s.opts.Now()
	var (
		sum Summary
		err error
	)
	func() {
		// A bug in one run must not take the daemon (and its web UI) down.
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("run panicked: %v", p)
			}
		}()
		s.opts.Logger.Info("run started", "trigger", trigger)
		sum, err = s.opts.Run(s.ctx, s.stop)
	}()
	elapsed := s.opts.Now().Sub(start)
	s.report(trigger, sum, err, elapsed)
	// Only now is the run over for Status: its log lines and metrics are
	// out, so a caller that sees Running false sees them too.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running = false
	if sum.RunID != 0 {
		s.lastRun = &sum
	}
	s.lastErr = ""
	if err != nil {
		s.lastErr = err.Error()
	}
}

// report logs how a run ended and hands a real run to Observe.
func (s *Scheduler) report(trigger string, sum Summary, err error, elapsed time.Duration) {
	switch {
	case errors.Is(err, ErrJobRunning):
		// Another process (a `linkrot check` by hand, a second serve) has
		// the catalog: this turn is skipped, not failed.
		s.opts.Logger.Warn("run skipped: another process holds the job lock", "trigger", trigger, "err", err)
		return
	case sum.RunID == 0 && (errors.Is(err, ErrStopped) || errors.Is(err, context.Canceled)):
		s.opts.Logger.Info("shutting down before the check began; the next run does it", "trigger", trigger)
		return
	case sum.RunID == 0:
		s.opts.Logger.Error("run failed", "trigger", trigger, "err", err)
		return
	}
	if s.opts.Observe != nil {
		s.opts.Observe(sum, elapsed)
	}
	attrs := []any{"trigger", trigger, "run_id", sum.RunID, "status", sum.Status, "checked", sum.Checked,
		"dead", sum.Dead, "newly_dead", sum.NewlyDead, "recovered", sum.Recovered, "duration", elapsed.Round(time.Millisecond)}
	switch {
	case err == nil:
		s.opts.Logger.Info("run finished", attrs...)
	case errors.Is(err, ErrStopped), errors.Is(err, context.Canceled):
		s.opts.Logger.Info("run interrupted by shutdown", attrs...)
	default:
		s.opts.Logger.Error("run finished with an error", append(attrs, "err", err)...)
	}
}

// cronLogger sends cron's own messages to slog: errors as errors, its
// chatter (every wake-up) at debug.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
