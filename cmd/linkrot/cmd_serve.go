package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/web"
)

type serveOptions struct {
	listen string
}

func newServeCmd(g *globals) *cobra.Command {
	var opts serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the job on the configured schedule and serve the web UI",
		Long: "serve runs the whole job (as `linkrot run`) on the cron schedule of the configuration and\n" +
			"serves the web UI, the Memento endpoints of the local archive, /metrics and /healthz.\n" +
			"A run still going when the next is due is skipped, never stacked; a run is also skipped\n" +
			"while another linkrot process holds the job lock. It listens on loopback unless\n" +
			"web.auth is set. SIGINT or SIGTERM stops it: no new runs, the run in flight finishes\n" +
			"the checks it has started (for up to crawler.timeout) and commits; a second signal\n" +
			"abandons them at once.",
		Example: "  linkrot serve\n  linkrot serve --listen 127.0.0.1:9090",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd.Context(), opts, g)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *serveOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.listen, "listen", "", "address to listen on, host:port (default web.listen, 127.0.0.1:8080)")
}

// runServe returns when ctx ends (main cancels it on SIGINT/SIGTERM),
// after a clean shutdown; that is success, exit code 0.
func runServe(ctx context.Context, opts serveOptions, g *globals) error {
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	addr := cfg.Web.Listen
	if opts.listen != "" {
		addr = opts.listen
	}
	if err := checkListen(addr, cfg.Web.Auth); err != nil {
		return err
	}
	sched, err := config.ParseSchedule(cfg.Schedule)
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	log := slog.Default()
	r, err := job.Open(ctx, cfg, job.Deps{Now: g.now, Printer: g.printer(), Logger: log})
	if err != nil {
		return err
	}
	defer r.Close()
	st := r.Catalog()
	// One archiver for the runs and the UI's restores: one writer appends
	// to the WARC files.
	arc, err := archive.New(cfg.Archive, cfg.DataDir, st, archive.Options{Now: g.now, Logger: log})
	if err != nil {
		return err
	}
	defer arc.Close()

	var ui *web.Server // set below; the scheduler only fires after Start
	s, err := job.NewScheduler(job.SchedulerOptions{
		Schedule: sched, Now: g.now, Logger: log,
		Run: func(ctx context.Context, stop <-chan struct{}) (job.Summary, error) {
			return serveRun(ctx, stop, g, cfg, st, arc, log)
		},
		Observe: func(sum job.Summary, d time.Duration) { ui.ObserveRun(sum, d) },
	})
	if err != nil {
		return err
	}
	ui, err = web.New(web.Deps{
		Config: cfg, Store: st, Archive: arc, RunNow: s.RunNow, Now: g.now, Logger: log,
		Status: s.Status,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// "localhost" passed checkListen by name; make sure it meant loopback.
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() && !authConfigured(cfg.Web.Auth) {
		ln.Close()
		return fmt.Errorf("%s resolved to %s, which is not a loopback address; %s", addr, tcp.IP, authHint)
	}
	srv := &http.Server{
		Handler:           ui,
		ReadHeaderTimeout: 10 * time.Second, // a client trickling headers holds a connection
		ReadTimeout:       30 * time.Second, // requests are small: forms, no uploads
		WriteTimeout:      2 * time.Minute,  // raw and WARC downloads of large captures
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// Requests must outlive the signal that starts the shutdown, so
		// that Shutdown can let them finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.Start()
	log.Info("serving", "addr", ln.Addr().String(), "schedule", cfg.Schedule, "next_run", s.Status().NextRun.Format(time.RFC3339))

	// A run's checks in flight finish (or time out) within crawler.timeout.
	grace := time.Duration(cfg.Crawler.Timeout) + time.Second
	select {
	case <-ctx.Done():
		stopServing(srv, s, grace, log)
		return nil
	case err := <-served:
		stopServing(srv, s, grace, log)
		return fmt.Errorf("web server: %w", err)
	}
}

// stopServing stops taking work (no new runs, no new connections) and
// lets the run and the requests in flight finish; the grace period, or a
// second signal, abandons what is left (the next run checks it). Either
// way the catalog is consistent and the lock released: a clean stop.
func stopServing(srv *http.Server, s *job.Scheduler, grace time.Duration, log *slog.Logger) {
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
func serveRun(ctx context.Context, stop <-chan struct{}, g *globals, cfg *config.Config, st *store.SQLite, arc *archive.Archiver, log *slog.Logger) (job.Summary, error) {
	p := job.PipelineOptions{
		Rescan: true, Verify: true, Lookup: true, Now: g.now, Kind: "serve", Logger: log, Stop: stop,
		Warn: func(path string, err error) { log.Warn("source file", "path", path, "err", err) },
		Rescanned: func(in ingest.Stats) {
			log.Info("sources rescanned", "documents", in.Documents, "added", in.Added, "updated", in.Updated,
				"missing", in.Missing, "new_links", in.NewLinks, "warnings", in.Warnings)
		},
	}
	if cfg.Archive.Enabled {
		p.Archive = arc
	}
	res, err := job.RunPipeline(ctx, cfg, st, p)
	if res.ReportErr != nil {
		log.Warn("report", "err", res.ReportErr)
	}
	if len(res.ReportFiles) > 0 {
		log.Info("report written", "files", strings.Join(res.ReportFiles, ", "))
	}
	return res.Check, err
}

const authHint = "anyone who can reach it could read the catalog and start runs. " +
	"Set web.auth.token (better: LINKROT_WEB_AUTH_TOKEN) or web.auth.user and web.auth.password_hash, " +
	"or listen on 127.0.0.1"

// checkListen refuses an address other machines can reach unless the UI
// asks for credentials. Only literal loopback addresses and "localhost"
// count as local: any other name could resolve anywhere.
func checkListen(addr string, auth config.Auth) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q must be host:port, e.g. 127.0.0.1:8080", addr)
	}
	if authConfigured(auth) || strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	where := addr
	if host == "" {
		where += " (every interface)"
	}
	return fmt.Errorf("refusing to listen on %s without authentication: %s", where, authHint)
}

func authConfigured(a config.Auth) bool {
	return a.Token != "" || (a.User != "" && a.PasswordHash != "")
}
