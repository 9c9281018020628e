package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/archive"
)

type restoreOptions struct {
	at     string
	format string
	output string
	remote bool
}

func newRestoreCmd(g *globals) *cobra.Command {
	var opts restoreOptions
	cmd := &cobra.Command{
		Use:   "restore URL",
		Short: "Give back the local archived copy of a URL",
		Long: "restore writes the snapshot of URL captured last before --at (by default the latest good one;\n" +
			"with no copy before --at, the earliest after it, said on stderr):\n" +
			"html is the readable article as a self-contained page with a banner naming the original URL\n" +
			"and capture time; text is its plain text; raw is the response body as received (its content\n" +
			"type goes to stderr); warc is the capture's WARC records as a .warc.gz of their own.\n" +
			"With -o DIR and no --format, every format is written into DIR with meta.json.\n" +
			"--remote asks the public web archives in config.yaml instead (Wayback, Memento) for the\n" +
			"copy closest before the link was first seen in a document, prints its address, and with -o\n" +
			"downloads it.",
		Example: "  linkrot restore https://example.org/page > page.html\n" +
			"  linkrot restore --at 2024-05-01 --format text https://example.org/page\n" +
			"  linkrot restore --format raw -o paper.pdf https://example.org/paper.pdf\n" +
			"  linkrot restore -o copies/page https://example.org/page\n" +
			"  linkrot restore --remote https://example.org/page",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRestore(cmd.Context(), opts, g, args[0])
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *restoreOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.at, "at", "", "the last copy before this date (2024-05-01, local midnight) or RFC 3339 time")
	f.StringVar(&o.format, "format", "", "html, text, raw or warc (default html)")
	f.StringVarP(&o.output, "output", "o", "", "write to this file (with --format) or directory (without); default stdout")
	f.BoolVar(&o.remote, "remote", false, "ask public web archives instead of the local archive")
}

// laterThanAsked says on stderr when --at had no copy before it and a
// later one was taken: the page may have changed by then.
func laterThanAsked(g *globals, url string, at time.Time, s archive.Snapshot) {
	if !at.IsZero() && s.CapturedAt.After(at) {
		g.printer().Warnf("no copy of %s from before %s; restored the earliest after it, captured %s",
			url, at.Format(time.DateTime), s.CapturedAt.Local().Format(time.DateTime))
	}
}

// noLocalCopy turns the archive's error into the one the user reads.
func noLocalCopy(url string, err error) error {
	if errors.Is(err, archive.ErrNoLocalCopy) {
		return fmt.Errorf("no local copy of %s; try `linkrot restore --remote %s`", url, url)
	}
	return err
}

func runRestore(ctx context.Context, opts restoreOptions, g *globals, url string) error {
	at, err := parseAt(opts.at, time.Local)
	if err != nil {
		return err
	}
	if opts.format != "" && !slices.Contains(archive.Formats, opts.format) {
		return fmt.Errorf("--format %q: want one of %s", opts.format, strings.Join(archive.Formats, ", "))
	}
	r, err := g.open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	if opts.remote {
		return restoreRemote(ctx, opts, g, r, url)
	}
	arc, err := r.Archiver()
	if err != nil {
		return err
	}
	defer arc.Close()
	p := g.printer()

	if opts.output != "" && opts.format == "" {
		s, err := arc.RestoreAll(ctx, url, at, opts.output)
		if err != nil {
			return noLocalCopy(url, err)
		}
		laterThanAsked(g, url, at, s)
		p.Infof("restored the copy of %s captured %s into %s (%s)", url,
			s.CapturedAt.Local().Format(time.DateTime), opts.output, strings.Join(archive.SnapshotFormats(s), ", "))
		return nil
	}
	format := opts.format
	if format == "" {
		format = archive.FormatHTML
	}
	// The copy is made in memory first, so a damaged one writes nothing.
	var buf bytes.Buffer
	s, err := arc.Restore(ctx, url, at, format, &buf)
	if err != nil {
		return noLocalCopy(url, err)
	}
	laterThanAsked(g, url, at, s)
	if format == archive.FormatRaw {
		p.Infof("content type: %s", s.ContentType)
	}
	if opts.output == "" {
		_, err := g.stdout.Write(buf.Bytes())
		return err
	}
	path := opts.output
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, archive.RestoreFileName(format, s))
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return err
	}
	p.Infof("restored the %s copy of %s captured %s to %s", format, url, s.CapturedAt.Local().Format(time.DateTime), path)
	return nil
}
