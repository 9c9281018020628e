package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/job"
)

type checkOptions struct {
	all      bool
	url      string
	json     bool
	noVerify bool
	lookup   bool
	distrib  bool
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
			"outage: no state changes and the exit code is 3.",
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
	f.BoolVar(&o.distrib, "distributed", false, "open a run for `linkrot worker` processes (PostgreSQL only), wait for them, settle it")
	f.BoolVar(&o.lookup, "lookup", false, "after the checks, look up public-archive copies of dead links (run and serve always do)")
}

func runCheck(ctx context.Context, opts checkOptions, g *globals) error {
	if opts.url != "" && opts.all {
		return errors.New("--url and --all cannot be used together")
	}
	if opts.distrib {
		if opts.url != "" || opts.all {
			return errors.New("--distributed checks the due links; it takes neither --url nor --all")
		}
		return runCheckDistributed(ctx, opts, g) // cmd_worker.go
	}
	r, err := g.open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	if opts.url != "" {
		res, state, err := r.CheckURL(ctx, opts.url)
		if err != nil {
			return err
		}
		return printCheckedURL(g, opts.json, res, state)
	}
	res, err := r.Check(ctx, job.CheckOptions{All: opts.all, Verify: !opts.noVerify, Lookup: opts.lookup, Progress: !opts.json})
	if res.Check.RunID == 0 {
		return err // nothing ran: the lock was held or the catalog failed
	}
	if opts.json {
		if jerr := g.printer().JSON(res.Check); jerr != nil {
			return jerr
		}
	} else {
		printSummary(g, res.Check)
	}
	printReportFiles(g, res)
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
	for _, line := range summaryHints(s) {
		p.Printf("  %s\n", line)
	}
}

// summaryHints explain what a run did not do: links deferred, and links
// refused for a private address when they were most of the run.
func summaryHints(s job.Summary) []string {
	var out []string
	if s.Deferred > 0 {
		out = append(out, fmt.Sprintf("deferred %d (state unchanged, checked again next run): the site asked to wait longer than crawler.max_retry_wait", s.Deferred))
		for _, r := range s.DeferredReasons {
			out = append(out, "  "+r)
		}
	}
	if s.PrivateAddress > 0 && s.PrivateAddress*2 > s.Checked {
		out = append(out, fmt.Sprintf("%d of %d links were blocked because they resolve to a private or loopback address; "+
			"to check a site on this machine or your LAN, set network.allow_private: true", s.PrivateAddress, s.Checked))
	}
	return out
}
