package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type addOptions struct {
	json bool
}

func newAddCmd(g *globals) *cobra.Command {
	var opts addOptions
	cmd := &cobra.Command{
		Use:   "add [PATH|GLOB]...",
		Short: "Scan documents and store the URLs they contain",
		Long: "add walks files, folders and globs, finds every URL in each document (repairing\n" +
			"damaged ones) and stores them in the catalog. Unchanged documents are skipped;\n" +
			"changed ones are rescanned; stored documents gone from a scanned folder are marked\n" +
			"missing. Without arguments it rescans the sources listed in the configuration.",
		Example: "  linkrot add examples/\n  linkrot add ~/notes '~/articles/*.txt'",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdd(cmd.Context(), opts, g, args)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *addOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.json, "json", false, "print the summary as JSON")
}

func runAdd(ctx context.Context, opts addOptions, g *globals, args []string) error {
	r, err := g.open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	stats, err := r.Add(ctx, args)
	if err != nil {
		return err
	}
	p := g.printer()
	if opts.json {
		return p.JSON(stats)
	}
	p.Printf("%d documents: %d added, %d updated, %d unchanged, %d skipped, %d missing\n",
		stats.Documents, stats.Added, stats.Updated, stats.Unchanged, stats.Skipped, stats.Missing)
	p.Printf("%d URL occurrences stored, %d removed, %d new links; %d warnings\n",
		stats.Occurrences, stats.Removed, stats.NewLinks, stats.Warnings)
	return nil
}
