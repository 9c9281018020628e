package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/store"
)

type snapshotsOptions struct{ json bool }

func newSnapshotsCmd(g *globals) *cobra.Command {
	var opts snapshotsOptions
	cmd := &cobra.Command{
		Use:     "snapshots URL",
		Short:   "List the local archived copies of a URL, newest first",
		Example: "  linkrot snapshots https://example.org/page\n  linkrot snapshots --json https://example.org/page",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSnapshots(cmd.Context(), opts, g, args[0])
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *snapshotsOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.json, "json", false, "print one JSON object per copy (the shape of restore's meta.json)")
}

// shortHash is the first 12 hex digits of a "sha256:<hex>" digest: enough
// to tell copies apart at a glance.
func shortHash(d string) string {
	_, h, ok := strings.Cut(d, ":")
	if !ok {
		h = d
	}
	return h[:min(len(h), 12)]
}

func runSnapshots(ctx context.Context, opts snapshotsOptions, g *globals, url string) error {
	r, err := g.open(ctx, true)
	if err != nil {
		return err
	}
	defer r.Close()
	st := r.Catalog()
	p := g.printer()
	n := 0
	err = st.Snapshots(ctx, url, func(s store.Snapshot) error {
		n++
		if opts.json {
			return p.JSON(archive.NewMetaJSON(s))
		}
		title := s.Title
		if title == "" {
			title = "(" + s.ContentType + ")"
		}
		seen := ""
		if s.SeenCount > 1 {
			seen = fmt.Sprintf("  seen %d× until %s", s.SeenCount, s.LastSeen.Local().Format(time.DateOnly))
		}
		p.Printf("%s  %3d  %s  %6d words  %-19s  %s%s\n", s.CapturedAt.Local().Format("2006-01-02 15:04"), s.Status,
			shortHash(s.PayloadDigest), s.Words, strings.Join(archive.SnapshotFormats(s), ","), title, seen)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s is not a link in the catalog; see `linkrot links`", url)
	}
	if err != nil {
		return err
	}
	if n == 0 && !opts.json {
		p.Infof("no local copy of %s yet", url)
	}
	return nil
}
