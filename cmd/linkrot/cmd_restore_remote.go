package main

import (
	"context"
	"fmt"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/job"
)

// parseAt reads --at: a date (midnight at its start, in loc) or an RFC
// 3339 time.
func parseAt(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--at %q: want a date (2024-05-01) or an RFC 3339 time (2024-05-01T12:00:00Z)", s)
}

// restoreRemote prints the best public copy and, with -o, saves it.
func restoreRemote(ctx context.Context, opts restoreOptions, g *globals, r *job.Runner, url string) error {
	if opts.format != "" && opts.format != archive.FormatRaw {
		return fmt.Errorf("--remote gives the archive's copy as it is: --format must be raw or left out")
	}
	at, err := parseAt(opts.at, time.Local)
	if err != nil {
		return err
	}
	c, ctype, err := r.RemoteCopy(ctx, url, at, opts.output)
	if err != nil {
		return err
	}
	p := g.printer()
	p.Printf("%s\t%s\t%s\n", c.URL, c.Time.UTC().Format(time.RFC3339), c.Source)
	if opts.output != "" {
		p.Infof("saved the %s copy of %s (%s) to %s", c.Source, url, ctype, opts.output)
	}
	return nil
}
