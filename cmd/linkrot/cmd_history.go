package main

import (
	"context"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/store"
)

type historyOptions struct{ json bool }

func newHistoryCmd(g *globals) *cobra.Command {
	var opts historyOptions
	cmd := &cobra.Command{
		Use:     "history URL",
		Short:   "Show every check of a URL, newest first",
		Example: "  linkrot history https://example.org/page\n  linkrot history --json https://example.org/page",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHistory(cmd.Context(), opts, g, args[0])
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *historyOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.json, "json", false, "print one JSON object per check")
}

// historyJSON is the stable output shape of `history --json`.
type historyJSON struct {
	CheckedAt time.Time   `json:"checked_at"`
	Class     string      `json:"class"`
	Status    int         `json:"status"`
	FinalURL  string      `json:"final_url"`
	Redirects []store.Hop `json:"redirects"`
	Method    string      `json:"method"`
	LatencyMS int64       `json:"latency_ms"`
	Attempts  int         `json:"attempts"`
	Error     string      `json:"error"`
	Evidence  []string    `json:"evidence"`
	RunID     int64       `json:"run_id"`
	Pending   bool        `json:"pending"`
}

func runHistory(ctx context.Context, opts historyOptions, g *globals, url string) error {
	r, err := g.open(ctx, true)
	if err != nil {
		return err
	}
	defer r.Close()
	st := r.Catalog()
	p := g.printer()
	n := 0
	err = st.History(ctx, url, func(c store.CheckRecord) error {
		n++
		if opts.json {
			h := historyJSON{CheckedAt: c.CheckedAt, Class: c.Class, Status: c.Status, FinalURL: c.FinalURL,
				Redirects: c.Redirects, Method: c.Method, LatencyMS: c.LatencyMS, Attempts: c.Attempts,
				Error: c.Error, Evidence: c.Evidence, RunID: c.RunID, Pending: c.Pending}
			if h.Redirects == nil {
				h.Redirects = []store.Hop{}
			}
			if h.Evidence == nil {
				h.Evidence = []string{}
			}
			return p.JSON(h)
		}
		code := "-"
		if c.Status > 0 {
			code = strconv.Itoa(c.Status)
		}
		p.Printf("%s  %-18s %4s  %6dms  %s\n", c.CheckedAt.Local().Format(time.DateTime), c.Class, code, c.LatencyMS, c.FinalURL)
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 && !opts.json {
		p.Infof("%s has not been checked yet", url)
	}
	return nil
}
