package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/reports"
)

// failOnLevels are the values --fail-on takes.
var failOnLevels = []string{"dead", "suspect", "never"}

type reportOptions struct {
	latest bool
	run    int64
	since  string
	format string
	output string
	failOn string
}

func newReportCmd(g *globals) *cobra.Command {
	var opts reportOptions
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Report dead, newly dead, recovered and moved links of a run",
		Long: "report describes a check run (by default the latest finished one) or every run since a date:\n" +
			"what is newly dead, still dead, recovered, moved, suspect and blocked, every place each of those\n" +
			"links is used, and the copies that can replace a dead one. Formats: text (for a terminal),\n" +
			"md, html (one self-contained page), json (schema linkrot.report/v1, docs/report-schema.json)\n" +
			"and csv (one row per place a dead or suspect link is used).\n\n" +
			"--fail-on makes the exit code useful in CI: 2 when the report has dead links (dead) or dead\n" +
			"or suspect links (suspect), 0 when it has none, 1 on an error.",
		Example: "  linkrot report\n" +
			"  linkrot report --run 42 --format md -o run-42.md\n" +
			"  linkrot report --since 2024-05-01 -o may.html\n" +
			"  linkrot report --format csv --fail-on dead > dead.csv",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), opts, g)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *reportOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.latest, "latest", false, "report the latest finished run (the default)")
	f.Int64Var(&o.run, "run", 0, "report the run with this `ID`")
	f.StringVar(&o.since, "since", "", "report every run started since `DATE` (2024-05-01, local midnight, or an RFC 3339 time)")
	f.StringVar(&o.format, "format", "", "text, md, html, json or csv (default: from the -o file name, else text)")
	f.StringVarP(&o.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	f.StringVar(&o.failOn, "fail-on", "never", "exit 2 when the report has links at or above this level: dead, suspect or never")
}

// parseSince reads --since: a date (midnight at its start, in loc) or an
// RFC 3339 time.
func parseSince(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a date (2024-05-01) or an RFC 3339 time (2024-05-01T12:00:00Z)", s)
}

func runReport(ctx context.Context, opts reportOptions, g *globals) error {
	sel := reports.Selection{RunID: opts.run, Now: g.now}
	chosen := 0
	for _, set := range []bool{opts.latest, opts.run != 0, opts.since != ""} {
		if set {
			chosen++
		}
	}
	if chosen > 1 {
		return errors.New("--latest, --run and --since choose what to report: give one of them")
	}
	if opts.run < 0 {
		return fmt.Errorf("--run %d: run IDs are positive", opts.run)
	}
	if opts.since != "" {
		t, err := parseSince(opts.since, time.Local)
		if err != nil {
			return err
		}
		sel.Since = t
	}
	if opts.failOn == "" {
		opts.failOn = "never" // the flag's default, for callers that skip the flags
	}
	if !slices.Contains(failOnLevels, opts.failOn) {
		return fmt.Errorf("--fail-on %q: want one of %s", opts.failOn, strings.Join(failOnLevels, ", "))
	}
	format := opts.format
	if format == "" {
		format = "text"
		if f, ok := reports.FormatOf(opts.output); ok && opts.output != "" {
			format = f
		}
	}
	if !slices.Contains(reports.Formats, format) {
		return fmt.Errorf("--format %q: want one of %s", format, strings.Join(reports.Formats, ", "))
	}

	run, err := g.open(ctx, true)
	if err != nil {
		return err
	}
	defer run.Close()
	st := run.Catalog()
	if arc, err := run.Archiver(); err == nil {
		sel.Texts = arc // the removed sentences of "Changed since cited"
	}
	r, err := reports.Build(ctx, st, sel)
	if errors.Is(err, reports.ErrNoRuns) {
		return errors.New("no check run has finished yet: run `linkrot check` first")
	}
	if err != nil {
		return err
	}
	// Rendered in memory first: a failure leaves no half-written file.
	var buf bytes.Buffer
	if err := reports.Render(&buf, format, r); err != nil {
		return err
	}
	if opts.output == "" {
		if _, err := g.stdout.Write(buf.Bytes()); err != nil {
			return err
		}
	} else {
		if err := os.WriteFile(opts.output, buf.Bytes(), 0o644); err != nil {
			return err
		}
		g.printer().Infof("wrote the %s report of %s to %s", format, describeScope(r.Selection), opts.output)
	}
	if h := failOnHint(opts.failOn, r.Summary); h != "" {
		g.printer().Infof("%s", h)
	}
	return failOn(opts.failOn, r.Summary)
}
