package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
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
	r, err := job.Open(ctx, cfg, job.Deps{Now: g.now, Printer: g.printer(), Logger: slog.Default()})
	if err != nil {
		return err
	}
	defer r.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// "localhost" passed checkListen by name; make sure it meant loopback.
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() && !authConfigured(cfg.Web.Auth) {
		ln.Close()
		return fmt.Errorf("%s resolved to %s, which is not a loopback address; %s", addr, tcp.IP, authHint)
	}
	return r.Serve(ctx, ln, func(arc *archive.Archiver, s *job.Scheduler) (http.Handler, func(job.Summary, time.Duration), error) {
		ui, err := web.New(web.Deps{
			Config: cfg, Store: r.Catalog(), Archive: arc, RunNow: s.RunNow, Now: g.now, Logger: slog.Default(),
			Status: s.Status,
			Recheck: func(ctx context.Context, u string) (store.LinkState, string, error) {
				res, st, err := r.Recheck(ctx, u)
				return st, res.Class.String(), err
			},
		})
		if err != nil {
			return nil, nil, err
		}
		return ui, ui.ObserveRun, nil
	})
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
