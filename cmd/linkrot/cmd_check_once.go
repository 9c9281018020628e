package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/atomicfile"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/oneshot"
)

// onceOptions are the flags of `check --once`.
type onceOptions struct {
	once         bool
	format       string
	output       string
	budget       time.Duration
	allowPrivate bool
}

// addOnceFlags makes `check --once PATH|GLOB|URL…` the one-shot CI mode:
// it adds the flags and routes the command to runCheckOnce when --once is
// given, leaving check as it was otherwise.
func addOnceFlags(cmd *cobra.Command, g *globals) {
	var o onceOptions
	f := cmd.Flags()
	f.BoolVar(&o.once, "once", false, "check the PATHs, GLOBs and URLs given, without the catalog (CI mode; exit 2 when a link is broken)")
	f.StringVar(&o.format, "format", "text", "with --once: report format: text, md, json or junit")
	f.StringVarP(&o.output, "output", "o", "", "with --once: write the report to `FILE` instead of stdout")
	f.DurationVar(&o.budget, "budget", oneshot.DefaultBudget, "with --once: time to retry 429/5xx/timeouts; a longer Retry-After is reported as throttled")
	f.BoolVar(&o.allowPrivate, "allow-private", false, "with --once: allow links to private and loopback addresses (a site on 127.0.0.1)")
	cmd.Use = "check [--once [flags] PATH|GLOB|URL...]"
	cmd.Long += "\n\nWith --once (for CI) it checks the links of the files, folders, globs and URLs given, without\n" +
		"the catalog or a config file, under a strict policy: one 404/410/NXDOMAIN is dead; 429, 5xx and\n" +
		"timeouts are retried within --budget. Exit 0: nothing broken, 2: broken links, 1: could not run."
	cmd.Example += "\n  linkrot check --once docs/ README.md\n  linkrot check --once --format junit -o links.xml 'site/*.html'"
	args, run := cmd.Args, cmd.RunE
	cmd.Args = func(c *cobra.Command, a []string) error {
		if o.once {
			return nil
		}
		return args(c, a)
	}
	cmd.RunE = func(c *cobra.Command, a []string) error {
		if o.once {
			return runCheckOnce(c.Context(), c, o, g, a)
		}
		for _, name := range []string{"format", "output", "budget", "allow-private"} {
			if c.Flags().Changed(name) {
				return fmt.Errorf("--%s needs --once", name)
			}
		}
		return run(c, a)
	}
}

func runCheckOnce(ctx context.Context, cmd *cobra.Command, o onceOptions, g *globals, args []string) error {
	for _, name := range []string{"url", "all", "json", "no-verify"} {
		if cmd.Flags().Changed(name) {
			return fmt.Errorf("--%s cannot be used with --once (use --format json for JSON)", name)
		}
	}
	format, err := oneshot.ParseFormat(o.format)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	if o.budget <= 0 {
		return fmt.Errorf("--budget must be positive (got %s)", o.budget)
	}
	if len(args) == 0 {
		return errors.New("check --once: give at least one PATH, GLOB or URL")
	}
	// No config file is needed: defaults, LINKROT_* variables, and a file
	// only when one is named (--config or LINKROT_CONFIG).
	path := g.configPath
	if path == "" {
		path = g.getenv(config.EnvConfig)
	}
	cfg, err := config.Load(path, g.getenv)
	if err != nil {
		return err
	}
	p := g.printer()
	// The report owns stdout when it is machine-readable and has no file:
	// the stream and the summary then go to stderr.
	stream, info := g.stdout, g.stdout
	if format != "text" && o.output == "" {
		stream, info = g.stderr, g.stderr
	}
	rep, err := oneshot.Run(ctx, args, oneshot.Options{
		Config: cfg, Budget: o.budget, AllowPrivate: o.allowPrivate, Stream: stream,
		Warn: func(path string, err error) { p.Warnf("%s: %v", path, err) },
	})
	if err != nil {
		return err
	}
	// A text report on stdout is the stream itself, then the summary.
	if format != "text" || o.output != "" {
		if err := writeOnceReport(rep, format, o.output, g.stdout); err != nil {
			return err
		}
	}
	fmt.Fprintln(info, rep.SummaryLine())
	for _, h := range rep.Summary.Hints {
		fmt.Fprintln(info, "hint: "+h)
	}
	if o.output != "" {
		p.Infof("report written: %s", o.output)
	}
	switch {
	case rep.Summary.NetworkDown:
		return errors.New("could not check: this machine's network looks down (most hosts failed before any HTTP answer)")
	case rep.Broken():
		return fmt.Errorf("%d %w", rep.Summary.Broken, job.ErrBrokenLinks) // exit 2
	case rep.MostlyPrivate():
		return fmt.Errorf("%d of %d links were refused as private or loopback addresses, so they were not checked: "+
			"add --allow-private to check a site on 127.0.0.1 or your own network", rep.Summary.Private, rep.Summary.Links)
	}
	return nil
}

// writeOnceReport puts the report in FILE, or on stdout.
func writeOnceReport(rep *oneshot.Report, format, output string, stdout io.Writer) error {
	if output == "" {
		return rep.Write(stdout, format)
	}
	var b bytes.Buffer
	if err := rep.Write(&b, format); err != nil {
		return err
	}
	if err := atomicfile.Write(output, b.Bytes(), atomicfile.Options{}); err != nil {
		return fmt.Errorf("-o %s: %w", output, err)
	}
	return nil
}
