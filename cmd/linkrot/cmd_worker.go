package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/job"
)

type workerOptions struct {
	name   string
	batch  int
	lease  time.Duration
	follow bool
}

func newWorkerCmd(g *globals) *cobra.Command {
	var opts workerOptions
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Check links from the shared PostgreSQL queue, alongside other workers",
		Long: "worker claims the due links of the open queue run (begun by `linkrot run`, serve's\n" +
			"schedule or `linkrot check --distributed`) in batches from the shared queue of a\n" +
			"PostgreSQL catalog, checks them and records each check. Run as many as you like, on as\n" +
			"many machines: a link is leased to one worker at a time, per-host limits hold across\n" +
			"all of them, and the links of a worker that dies are taken over when its leases run\n" +
			"out. It exits when the run has nothing left (with --follow it waits for the next run);\n" +
			"SIGINT or SIGTERM stops it and gives its links back.",
		Example: "  linkrot worker --follow &\n  linkrot run\n  linkrot check --distributed & linkrot worker",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWorker(cmd.Context(), opts, g)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *workerOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.name, "name", "", "this worker's name in leases (default PID@HOST/worker); must be unique")
	f.IntVar(&o.batch, "batch", 0, "links claimed at a time (default 2 × crawler.concurrency)")
	f.DurationVar(&o.lease, "lease", time.Minute, "how long a claim lasts unless renewed; a dead worker's links wait this long")
	f.BoolVar(&o.follow, "follow", false, "after a run, wait for the next one instead of exiting")
}

func runWorker(ctx context.Context, opts workerOptions, g *globals) error {
	r, err := g.open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	stats, err := r.Work(ctx, job.WorkerOptions{Name: opts.name, Batch: opts.batch, Lease: opts.lease, Follow: opts.follow})
	g.printer().Printf("worker: %d checks in %d runs\n", stats.Checked, stats.Runs)
	if err == nil {
		err = ctx.Err() // stopped by a signal: exit as interrupted
	}
	return err
}

// runCheckDistributed is `check --distributed`: it opens a run for the
// workers, waits for them to empty its queue, and settles it.
func runCheckDistributed(ctx context.Context, opts checkOptions, g *globals) error {
	r, err := g.open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	p := g.printer()
	sum, err := r.CheckDistributed(ctx, job.DistributedOptions{Opened: func(id int64) {
		p.Infof("run %d open: start `linkrot worker` processes to check its links", id)
	}})
	if sum.RunID == 0 {
		return err
	}
	if opts.json {
		if jerr := p.JSON(sum); jerr != nil {
			return jerr
		}
	} else {
		printSummary(g, sum)
	}
	return err
}
