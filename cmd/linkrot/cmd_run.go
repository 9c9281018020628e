package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/job"
)

type runOptions struct {
	all      bool
	json     bool
	noVerify bool
}

func newRunCmd(g *globals) *cobra.Command {
	var opts runOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the whole job once: rescan the sources, check what is due, archive, report",
		Long: "run is one scheduled job, for system cron or by hand: it rescans the sources of the\n" +
			"configuration (as `add` without arguments), checks every link that is due (as `check`),\n" +
			"keeps snapshots of live pages and writes the run's report. `linkrot serve` runs the\n" +
			"same job on the configured schedule. Exit code 3 when the run was judged a network outage.",
		Example: "  linkrot run\n  linkrot run --json\n  0 3 * * *  linkrot -q --config /etc/linkrot/config.yaml run   # crontab",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd.Context(), opts, g)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *runOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.all, "all", false, "check every link in use, due or not")
	f.BoolVar(&o.json, "json", false, "print both summaries as one JSON object")
	f.BoolVar(&o.noVerify, "no-verify", false, "do not try the candidates of doubtful URL repairs")
}

func runRun(ctx context.Context, opts runOptions, g *globals) error {
	r, err := g.open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	res, err := r.Run(ctx, "run", job.CheckOptions{All: opts.all, Verify: !opts.noVerify, Progress: !opts.json})
	if res.Check.RunID == 0 {
		return err // nothing ran: the lock was held, or the rescan or the catalog failed
	}
	if opts.json {
		if jerr := g.printer().JSON(res); jerr != nil {
			return jerr
		}
	} else {
		printIngestStats(g, res)
		printSummary(g, res.Check)
	}
	printReportFiles(g, res)
	return err
}

// printIngestStats prints the rescan's summary in add's words.
func printIngestStats(g *globals, res job.PipelineResult) {
	s := res.Ingest
	g.printer().Printf("rescan: %d documents: %d added, %d updated, %d unchanged, %d skipped, %d missing; %d new links, %d warnings\n",
		s.Documents, s.Added, s.Updated, s.Unchanged, s.Skipped, s.Missing, s.NewLinks, s.Warnings)
}
