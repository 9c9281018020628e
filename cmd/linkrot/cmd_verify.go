package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/archive"
)

type verifyOptions struct{ json, repair bool }

func newVerifyCmd(g *globals) *cobra.Command {
	var opts verifyOptions
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the integrity of the local archive",
		Long: "verify re-reads every WARC file record by record (format, gzip members, block and payload\n" +
			"digests), re-hashes every blob, and checks that every snapshot in the catalog points at files\n" +
			"and records that are there. Each problem is printed with its file and offset; the exit code\n" +
			"is 1 if there is any. It holds the job lock, so it does not run beside a check.\n\n" +
			"A killed capture leaves temporary files (.tmp-*) and blobs no snapshot names; both are\n" +
			"problems, and --repair removes them (the next check removes those older than 15 minutes).",
		Example: "  linkrot verify\n  linkrot verify --repair\n  linkrot verify --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.Context(), opts, g)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *verifyOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.json, "json", false, "print one JSON object per problem, then the totals")
	f.BoolVar(&o.repair, "repair", false, "remove temporary files and unreferenced blobs left by a crash")
}

func runVerify(ctx context.Context, opts verifyOptions, g *globals) error {
	r, err := g.open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	p := g.printer()
	var jsonErr error
	stats, removed, err := r.Verify(ctx, opts.repair, func(pr archive.Problem) {
		if opts.json {
			if err := p.JSON(pr); err != nil && jsonErr == nil {
				jsonErr = err
			}
			return
		}
		p.Printf("%s\n", pr)
	})
	if err != nil {
		return err
	}
	if jsonErr != nil {
		return jsonErr
	}
	if opts.json {
		if err := p.JSON(stats); err != nil {
			return err
		}
	} else {
		// The summary is the result: stdout, with the problems.
		p.Printf("checked %d WARC file(s) with %d record(s) (%s), %d blob(s) (%s), %d snapshot(s): %d problem(s), of which %d temporary file(s) and %d unreferenced blob(s)\n",
			stats.WARCFiles, stats.Records, humanBytes(stats.WARCBytes), stats.Blobs, humanBytes(stats.BlobBytes),
			stats.Snapshots, stats.Problems, stats.TempFiles, stats.Unreferenced)
	}
	if opts.repair {
		c := removed
		p.Printf("repaired: removed %d temporary file(s) and %d unreferenced blob(s), %s\n", c.TempFiles, c.Blobs, humanBytes(c.Bytes))
		stats.Problems -= stats.TempFiles + stats.Unreferenced
	}
	if stats.Problems > 0 {
		return fmt.Errorf("the archive in %s has %d problem(s)", r.Config().DataDir, stats.Problems)
	}
	return nil
}

// humanBytes prints a size the way people read it: 1.5 MiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
