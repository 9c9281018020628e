package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/sources"
)

type extractOptions struct {
	json        bool
	title, date string
}

func newExtractCmd(g *globals) *cobra.Command {
	var opts extractOptions
	cmd := &cobra.Command{
		Use:   "extract [--json] FILE|-",
		Short: "Show the URLs linkrot finds in one document (no catalog needed)",
		Long: "extract prints the URLs found in one file (or standard input with -), in order of\n" +
			"appearance, after repair. With --json each URL is one JSON object with its raw text,\n" +
			"byte offsets, line, column, role, the repairs made, a confidence and the alternatives.",
		Example: "  linkrot extract article.txt\n  linkrot extract --json --title 'Fight Islamic State' --date 2014-09-29 - < article.txt",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExtract(cmd.Context(), opts, g, args[0])
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *extractOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.json, "json", false, "print one JSON object per URL")
	f.StringVar(&o.title, "title", "", "the document's title, used as repair evidence (overrides what the document states)")
	f.StringVar(&o.date, "date", "", "the document's date as YYYY-MM-DD, used as repair evidence")
}

func runExtract(_ context.Context, opts extractOptions, g *globals, name string) error {
	if opts.date != "" {
		if _, err := time.Parse("2006-01-02", opts.date); err != nil {
			return fmt.Errorf("--date %q: want YYYY-MM-DD", opts.date)
		}
	}
	content, err := readInput(g, name)
	if err != nil {
		return err
	}
	doc, err := sources.ExtractDocument(name, content, sources.Options{Title: opts.title, Date: opts.date})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	p := g.printer()
	for _, w := range doc.Warnings {
		p.Warnf("%s: %s", name, w)
	}
	for _, o := range doc.Occurrences {
		if opts.json {
			if err := p.JSON(o); err != nil {
				return err
			}
			continue
		}
		p.Printf("%s\n", o.URL)
	}
	return nil
}

func readInput(g *globals, name string) ([]byte, error) {
	var r io.Reader = g.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, ingest.DefaultMaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > ingest.DefaultMaxSize {
		return nil, fmt.Errorf("%s: over the %d-byte limit for one document", name, ingest.DefaultMaxSize)
	}
	return b, nil
}
