package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/store"
)

// linkStates are the states DESIGN.md defines; --state accepts only these.
var linkStates = func() []string {
	var out []string
	for _, st := range store.LinkStates {
		out = append(out, string(st))
	}
	return out
}()

type linksOptions struct {
	state, role, document, host string
	json, drifted, replaced     bool
}

func newLinksCmd(g *globals) *cobra.Command {
	var opts linksOptions
	cmd := &cobra.Command{
		Use:   "links",
		Short: "List the links in the catalog",
		Example: "  linkrot links --state unchecked --json\n" +
			"  linkrot links --role source --document examples/moscow-wrap.txt",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLinks(cmd.Context(), opts, g)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *linksOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.state, "state", "", "only links in this state ("+strings.Join(linkStates, ", ")+")")
	f.StringVar(&o.role, "role", "", "only links used with this role (source or cited)")
	f.StringVar(&o.document, "document", "", "only links that occur in this document")
	f.StringVar(&o.host, "host", "", "only links to this host")
	f.BoolVar(&o.json, "json", false, "print one JSON object per link")
	f.BoolVar(&o.drifted, "drifted", false, "only links whose content drifted from the cited copy")
	f.BoolVar(&o.replaced, "replaced", false, "only links whose page was replaced (parked, login wall, home page)")
}

// linkJSON is the stable output shape of `links --json`.
type linkJSON struct {
	URL         string          `json:"url"`
	Host        string          `json:"host"`
	State       store.LinkState `json:"state"`
	Roles       []string        `json:"roles"`
	Occurrences int             `json:"occurrences"`
	FirstSeen   time.Time       `json:"first_seen"`
	LastChecked *time.Time      `json:"last_checked"`
	driftJSON
}

func runLinks(ctx context.Context, opts linksOptions, g *globals) error {
	if opts.state != "" && !contains(linkStates, opts.state) {
		return fmt.Errorf("--state %q: not a link state (one of %s)", opts.state, strings.Join(linkStates, ", "))
	}
	if opts.role != "" && opts.role != "source" && opts.role != "cited" {
		return fmt.Errorf("--role %q: must be source or cited", opts.role)
	}
	filter := store.LinkFilter{State: store.LinkState(opts.state), Role: opts.role, Host: opts.host}
	if opts.document != "" {
		doc, err := job.ExpandPath(opts.document)
		if err != nil {
			return fmt.Errorf("--document %q: %w", opts.document, err)
		}
		abs, err := filepath.Abs(doc)
		if err != nil {
			return fmt.Errorf("--document %q: %w", opts.document, err)
		}
		filter.DocumentPath = abs
	}
	r, err := g.open(ctx, true)
	if err != nil {
		return err
	}
	defer r.Close()
	st := r.Catalog()
	if filter.DocumentPath != "" {
		if _, err := st.DocumentByPath(ctx, filter.DocumentPath); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("--document %q: no such document in the catalog (add it with `linkrot add`)", opts.document)
		} else if err != nil {
			return err
		}
	}
	var drifts map[string]store.Drift
	if opts.json || opts.drifted || opts.replaced {
		if drifts, err = latestDrifts(ctx, st, !opts.json); err != nil {
			return err
		}
	}
	p := g.printer()
	return st.Links(ctx, filter, func(l store.Link) error {
		d, ok := drifts[l.URL]
		if !opts.keepByDrift(d, ok) {
			return nil
		}
		if opts.json {
			out := linkJSON{URL: l.URL, Host: l.Host, State: l.State, Roles: l.Roles, Occurrences: l.Occurrences, FirstSeen: l.FirstSeen,
				driftJSON: driftFields(d)}
			if out.Roles == nil {
				out.Roles = []string{}
			}
			if !l.LastChecked.IsZero() {
				t := l.LastChecked
				out.LastChecked = &t
			}
			return p.JSON(out)
		}
		if opts.drifted || opts.replaced {
			p.Printf("%-9s %-26s %s\n", l.State, verdictWord(d), l.URL)
			return nil
		}
		p.Printf("%-9s %4d  %s\n", l.State, l.Occurrences, l.URL)
		return nil
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
