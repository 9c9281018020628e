package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/store"
)

type checkOptions struct {
	all      bool
	url      string
	json     bool
	noVerify bool
}

func newCheckCmd(g *globals) *cobra.Command {
	var opts checkOptions
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check the links that are due, or one URL",
		Long: "check fetches every link that is due (see recheck in config.yaml), records each check\n" +
			"at once, and updates link states: a link is dead only after dead_after.failures failing\n" +
			"checks spanning dead_after.min_span. Doubtful URL repairs are settled by trying their\n" +
			"candidates first. If most hosts fail at the network level, the run is the checker's own\n" +
			"outage: no state changes and the exit code is 1.",
		Example: "  linkrot check\n  linkrot check --all\n  linkrot check --url https://example.org/page",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(cmd.Context(), opts, g)
		},
	}
	opts.addFlags(cmd.Flags())
	addOnceFlags(cmd, g) // check --once: cmd_check_once.go
	return cmd
}

func (o *checkOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.all, "all", false, "check every link in use, due or not")
	f.StringVar(&o.url, "url", "", "check this one URL now and print the verdict with its evidence")
	f.BoolVar(&o.json, "json", false, "print the summary (or the --url verdict) as JSON")
	f.BoolVar(&o.noVerify, "no-verify", false, "do not try the candidates of doubtful URL repairs")
}

func runCheck(ctx context.Context, opts checkOptions, g *globals) error {
	if opts.url != "" && opts.all {
		return errors.New("--url and --all cannot be used together")
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	if opts.url != "" {
		return checkOneURL(ctx, opts, g, cfg)
	}
	st, err := g.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	var progress job.Progress
	if !g.quiet && !opts.json && isTerminal(g.stderr) {
		progress = &barProgress{}
	}
	res, err := job.RunPipeline(ctx, cfg, st, job.PipelineOptions{
		All: opts.all, Verify: !opts.noVerify, Now: g.now, Kind: "check", Progress: progress,
	})
	if res.Check.RunID == 0 {
		return err // nothing ran: the lock was held or the catalog failed
	}
	p := g.printer()
	if opts.json {
		if jerr := p.JSON(res.Check); jerr != nil {
			return jerr
		}
	} else {
		printSummary(g, res.Check)
	}
	printReportFiles(g, res)
	return pipelineExit(g, err)
}

// pipelineExit turns a finished run's error into the command's: a network
// outage is a warning with exit code 1, as for check.
func pipelineExit(g *globals, err error) error {
	if errors.Is(err, job.ErrNetworkDown) {
		g.printer().Warnf("%v", err)
		return &exitCodeError{code: exitError, err: errors.New("run judged a network outage; see the warning above")}
	}
	return err
}

// printReportFiles says where the run's report went. A report that could
// not be written is a warning: the checks are safe in the catalog and
// `linkrot report --run ID` writes it again.
func printReportFiles(g *globals, res job.PipelineResult) {
	p := g.printer()
	if res.ReportErr != nil {
		p.Warnf("report: %v", res.ReportErr)
	}
	if len(res.ReportFiles) > 0 {
		p.Infof("report written: %s", strings.Join(res.ReportFiles, ", "))
	}
}

func printSummary(g *globals, s job.Summary) {
	p := g.printer()
	p.Printf("run %d %s: %d checked in %s (%.1f checks/s)\n", s.RunID, s.Status, s.Checked, s.Duration.Round(time.Millisecond), s.ChecksPerS)
	p.Printf("  alive %d, moved %d, suspect %d, dead %d (%d new), recovered %d, blocked %d, excluded %d, network_down %d, repairs verified %d\n",
		s.Alive, s.Moved, s.Suspect, s.Dead, s.NewlyDead, s.Recovered, s.Blocked, s.Excluded, s.NetworkDown, s.Verified)
	if s.Captured+s.Unchanged+s.CaptureErrs > 0 {
		p.Printf("  snapshots: %d captured, %d unchanged, %d failed\n", s.Captured, s.Unchanged, s.CaptureErrs)
	}
}

// checkOneURL checks one URL now. A URL in the catalog gets the check
// recorded and its state updated, under the job lock like any run.
func checkOneURL(ctx context.Context, opts checkOptions, g *globals, cfg *config.Config) error {
	chk, err := crawler.New(cfg.Crawler, cfg.Network, crawler.Options{Now: g.now, KeepBody: cfg.Archive.Enabled})
	if err != nil {
		return err
	}
	defer chk.Close()
	st, err := g.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	res := chk.Check(ctx, opts.url)
	link, lerr := st.LinkByURL(ctx, opts.url)
	state := ""
	if lerr == nil {
		release, err := job.Lock(ctx, st, "", g.now, nil)
		if err != nil {
			return err
		}
		defer release()
		state, err = job.RecordOne(ctx, st, link, res, crawler.PolicyFrom(cfg.Recheck, cfg.DeadAfter))
		if err != nil {
			return err
		}
	} else if !errors.Is(lerr, store.ErrNotFound) {
		return lerr
	}
	p := g.printer()
	if opts.json {
		return p.JSON(struct {
			crawler.Result
			State string `json:"state,omitempty"`
		}{res, state})
	}
	p.Printf("%s\n  class:   %s\n", res.URL, res.Class)
	if res.Status > 0 {
		p.Printf("  status:  %d\n", res.Status)
	}
	if res.FinalURL != "" && res.FinalURL != res.URL {
		p.Printf("  final:   %s\n", res.FinalURL)
	}
	for _, h := range res.Redirects {
		p.Printf("  hop:     %d %s\n", h.Status, h.URL)
	}
	if res.Title != "" {
		p.Printf("  title:   %s\n", res.Title)
	}
	p.Printf("  latency: %s, attempts %d\n", res.Latency.Round(time.Millisecond), res.Attempts)
	if res.Err != "" {
		p.Printf("  error:   %s\n", res.Err)
	}
	for _, e := range res.Evidence {
		p.Printf("  evidence: %s\n", e)
	}
	if state != "" {
		p.Printf("  state:   %s (recorded)\n", state)
	} else {
		p.Printf("  (not in the catalog; nothing recorded)\n")
	}
	return nil
}

// barProgress draws a progress bar on a terminal.
type barProgress struct{ bar *progressbar.ProgressBar }

func (b *barProgress) Start(total int) {
	b.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("checking"),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
}
func (b *barProgress) Checked(string, crawler.Class, string) { _ = b.bar.Add(1) }
func (b *barProgress) Finish()                               { _ = b.bar.Finish() }

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && !strings.EqualFold(os.Getenv("TERM"), "dumb")
}
