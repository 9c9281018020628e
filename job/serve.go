package job

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/ingest"
)

// Site builds what serve puts on the network once the archive and the
// scheduler exist: the HTTP handler, and a function that hears about each
// finished run (metrics). The web package provides it; job does not
// import web.
type Site func(arc *archive.Archiver, s *Scheduler) (http.Handler, func(Summary, time.Duration), error)

// Serve runs the job on the configured schedule and serves site on ln
// until ctx ends (SIGINT or SIGTERM), then stops cleanly: no new runs or
// connections, the run in flight finishes the checks it has taken within
// crawler.timeout, and a second signal abandons them. A clean stop
// returns nil.
func (r *Runner) Serve(ctx context.Context, ln net.Listener, site Site) error {
	sched, err := config.ParseSchedule(r.cfg.Schedule)
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	// One archiver for the runs and the UI's restores: one writer appends
	// to the WARC files.
	arc, err := r.Archiver()
	if err != nil {
		return err
	}
	defer arc.Close()
	var observe func(Summary, time.Duration) // set below; the scheduler only fires after Start
	var leading func() bool
	if r.pg != nil {
		// Several serve processes may share a PostgreSQL catalog; only
		// the elected one fires the schedule (job/leader.go).
		ectx, stopElect := context.WithCancel(ctx)
		e := Elect(ectx, r.pg, "scheduler", electRetry, electCheck, r.log)
		defer func() { stopElect(); <-e.Done() }()
		leading = e.Leading
	}
	s, err := NewScheduler(SchedulerOptions{
		Leading:  leading,
		Schedule: sched, Now: r.now, Logger: r.log,
		Run: func(ctx context.Context, stop <-chan struct{}) (Summary, error) {
			return r.serveRun(ctx, stop, arc)
		},
		Observe: func(sum Summary, d time.Duration) {
			if observe != nil {
				observe(sum, d)
			}
		},
	})
	if err != nil {
		return err
	}
	handler, obs, err := site(arc, s)
	if err != nil {
		return err
	}
	observe = obs
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second, // a client trickling headers holds a connection
		ReadTimeout:       30 * time.Second, // requests are small: forms, no uploads
		WriteTimeout:      2 * time.Minute,  // raw and WARC downloads of large captures
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(r.log.Handler(), slog.LevelWarn),
		// Requests must outlive the signal that starts the shutdown, so
		// that Shutdown can let them finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.Start()
	r.log.Info("serving", "addr", ln.Addr().String(), "schedule", r.cfg.Schedule, "next_run", s.Status().NextRun.Format(time.RFC3339))

	// A run's checks in flight finish (or time out) within crawler.timeout.
	grace := time.Duration(r.cfg.Crawler.Timeout) + time.Second
	select {
	case <-ctx.Done():
		stopServing(srv, s, grace, r.log)
		return nil
	case err := <-served:
		stopServing(srv, s, grace, r.log)
		return fmt.Errorf("web server: %w", err)
	}
}

// stopServing stops taking work (no new runs, no new connections) and
// lets the run and the requests in flight finish; the grace period, or a
// second signal, abandons what is left (the next run checks it). Either
// way the catalog is consistent and the lock released: a clean stop.
func stopServing(srv *http.Server, s *Scheduler, grace time.Duration, log *slog.Logger) {
	log.Info("shutting down: no new runs; the run in flight finishes the checks it has taken", "grace", grace)
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	force := make(chan os.Signal, 1)
	signal.Notify(force, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(force)
	go func() {
		select {
		case <-force:
			log.Warn("second signal: abandoning the checks in flight")
			cancel()
		case <-ctx.Done():
		}
	}()
	httpDone := make(chan struct{})
	go func() {
		defer close(httpDone)
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close() // grace over: drop the connections still open
		}
	}()
	_ = s.Shutdown(ctx) // it logs what it abandoned
	<-httpDone
	log.Info("stopped")
}

// serveRun is one scheduled job: serve's equivalent of `linkrot run`,
// reporting through the log instead of stdout.
func (r *Runner) serveRun(ctx context.Context, stop <-chan struct{}, arc *archive.Archiver) (Summary, error) {
	p := PipelineOptions{
		Rescan: true, Verify: true, Lookup: true, Now: r.now, Owner: r.owner, Kind: "serve", Logger: r.log, Stop: stop,
		Printer: r.out, Queue: r.queueCheck(),
		Warn: func(path string, err error) { r.log.Warn("source file", "path", path, "err", err) },
		Rescanned: func(in ingest.Stats) {
			r.log.Info("sources rescanned", "documents", in.Documents, "added", in.Added, "updated", in.Updated,
				"missing", in.Missing, "new_links", in.NewLinks, "warnings", in.Warnings)
		},
	}
	if r.cfg.Archive.Enabled {
		p.Archive = arc
	}
	res, err := RunPipeline(ctx, r.cfg, r.cat, p)
	if res.ReportErr != nil {
		r.log.Warn("report", "err", res.ReportErr)
	}
	if len(res.ReportFiles) > 0 {
		r.log.Info("report written", "files", strings.Join(res.ReportFiles, ", "))
	}
	return res.Check, err
}
