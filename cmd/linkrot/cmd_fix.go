package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/fix"
)

type fixOptions struct {
	diff, write bool
	noBackup    bool
	moved       bool
	archive     string
	localBase   string
}

func newFixCmd(g *globals) *cobra.Command {
	var opts fixOptions
	cmd := &cobra.Command{
		Use:   "fix PATH... [--diff | --write] [--archive local|remote|both] [--no-backup]",
		Short: "Rewrite documents so their references survive: repair URLs, cite archived copies",
		Long: "fix changes nothing in a document but its URLs. Damaged URL text becomes the repaired URL\n" +
			"(when the repair is trusted: confidence 0.6 or more, or verified on the web). A dead link\n" +
			"gets its archived copy in the form the format allows: in text \"URL [archived: COPY]\", in\n" +
			"Markdown the link points at the copy with \"(original: <URL>)\" after it, in HTML the <a>\n" +
			"keeps its href and gains Robust Links attributes (data-originalurl, data-versionurl,\n" +
			"data-versiondate). With --moved, links that moved permanently get their new URL.\n\n" +
			"--archive remote uses public web archives; local uses linkrot's own snapshots, cited as\n" +
			"LOCAL-BASE/web/<time>/<url> of `linkrot serve` (--local-base, else web.base_url); both (the default)\n" +
			"prefers the public copy. Only documents unchanged since `linkrot add` scanned them are\n" +
			"touched. By default the changes are shown as a unified diff and nothing is written; --write\n" +
			"writes them atomically, keeps FILE.bak, and rescans the document, so running fix again\n" +
			"changes nothing.",
		Example: "  linkrot fix notes/\n" +
			"  linkrot fix --write --archive remote article.md\n" +
			"  linkrot fix --write --local-base https://links.example.net --moved docs/",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFix(cmd.Context(), opts, g, args)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *fixOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.diff, "diff", false, "print the changes as a unified diff and write nothing (the default)")
	f.BoolVar(&o.write, "write", false, "write the changes (atomically, keeping FILE.bak)")
	f.BoolVar(&o.noBackup, "no-backup", false, "with --write: keep no FILE.bak")
	f.BoolVar(&o.moved, "moved", false, "point links that moved permanently at their new URL")
	f.StringVar(&o.archive, "archive", string(fix.ArchiveBoth), "copies to cite for dead links: local, remote or both")
	f.StringVar(&o.localBase, "local-base", "", "base `URL` where readers reach `linkrot serve`, for citing local snapshots (default web.base_url)")
}

func runFix(ctx context.Context, opts fixOptions, g *globals, args []string) error {
	if opts.diff && opts.write {
		return errors.New("--diff and --write cannot be used together")
	}
	if opts.noBackup && !opts.write {
		return errors.New("--no-backup only makes sense with --write")
	}
	mode, err := fix.ParseArchiveMode(opts.archive)
	if err != nil {
		return err
	}
	if _, err := localBase(opts.localBase, "", fix.ArchiveBoth); err != nil {
		return err // a bad --local-base is refused before anything is opened
	}
	r, err := g.open(ctx, false)
	if err != nil {
		return err
	}
	defer r.Close()
	base, err := localBase(opts.localBase, r.Config().Web.BaseURL, mode)
	if err != nil {
		return err
	}
	stats, err := r.Fix(ctx, args, fix.Options{
		Archive: mode, LocalBase: base, Moved: opts.moved,
		Write: opts.write, Backup: !opts.noBackup, Diff: !opts.write,
		Report: func(r fix.Result) { reportFix(g, r) },
	})
	if err != nil {
		return err
	}
	p := g.printer()
	verb := "would change"
	if opts.write {
		verb = "changed"
	}
	p.Infof("%d documents: %s %d (%d URLs repaired, %d dead links given archived copies, %d changed pages given their cited version, %d moved); %d references left alone, %d documents skipped",
		stats.Documents, verb, stats.Changed, stats.Repaired, stats.Archived, stats.Cited, stats.Moved, stats.LeftAlone, stats.Skipped)
	if stats.Failed > 0 {
		return fmt.Errorf("%d documents could not be fixed; see the warnings above", stats.Failed)
	}
	return nil
}

// reportFix prints one document's outcome: the diff (or what was written)
// to stdout, skips and failures as warnings, notes as information.
func reportFix(g *globals, r fix.Result) {
	p := g.printer()
	if r.Skipped != "" {
		p.Warnf("%s: skipped: %s", r.Path, r.Skipped)
		return
	}
	for _, c := range r.Changes {
		if c.Note != "" {
			p.Infof("%s:%d: %s: %s", r.Path, c.Line, c.URL, c.Note)
		}
	}
	if r.Diff != nil {
		p.Printf("%s", r.Diff)
	}
	if r.Written {
		var did []string
		for _, c := range r.Changes {
			switch {
			case !c.Edits():
			case c.MovedTo != "":
				did = append(did, fmt.Sprintf("line %d: moved to %s", c.Line, c.MovedTo))
			case c.Cited:
				did = append(did, fmt.Sprintf("line %d: cited version %s", c.Line, c.Copy.URL))
			case c.Copy != nil:
				did = append(did, fmt.Sprintf("line %d: archived copy %s", c.Line, c.Copy.URL))
			case c.Repair != "":
				did = append(did, fmt.Sprintf("line %d: repaired to %s", c.Line, c.Repair))
			}
		}
		p.Printf("fixed %s\n", r.Path)
		for _, d := range did {
			p.Printf("  %s\n", d)
		}
		if r.Backup != "" {
			p.Infof("%s: backup in %s", r.Path, r.Backup)
		}
	}
	if r.Err != nil {
		p.Warnf("%s: %v", r.Path, r.Err)
	}
}
