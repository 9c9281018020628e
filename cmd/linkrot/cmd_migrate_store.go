package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/linkrot/linkrot/store/postgres"
	"github.com/linkrot/linkrot/store/storecopy"
)

type migrateStoreOptions struct {
	from, to string
	batch    int
}

func newMigrateStoreCmd(g *globals) *cobra.Command {
	var opts migrateStoreOptions
	cmd := &cobra.Command{
		Use:   "migrate-store --to postgres://...",
		Short: "Copy a SQLite catalog into PostgreSQL and verify the copy",
		Long: "Copies every table of a SQLite catalog into a PostgreSQL database, in batches, then compares\n" +
			"row counts and a SHA-256 checksum per table on both sides. Running it again is safe: rows\n" +
			"already copied are skipped, and a destination holding other data is reported, not overwritten.\n" +
			"Stop every linkrot process using the SQLite catalog first.",
		Example: "  linkrot migrate-store --from data/linkrot.db --to postgres://linkrot@db.example/linkrot",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMigrateStore(cmd.Context(), opts, g)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "SQLite catalog to copy (default: the configured database)")
	f.StringVar(&opts.to, "to", "", "PostgreSQL database URL to copy into (postgres://...)")
	f.IntVar(&opts.batch, "batch", 5000, "rows read and written at a time")
	return cmd
}

func runMigrateStore(ctx context.Context, opts migrateStoreOptions, g *globals) error {
	if !postgres.IsURL(opts.to) {
		return fmt.Errorf("migrate-store: --to must be a postgres:// or postgresql:// URL, got %q", postgres.Redact(opts.to))
	}
	if opts.batch <= 0 {
		return fmt.Errorf("migrate-store: --batch must be positive, got %d", opts.batch)
	}
	from := opts.from
	if from == "" {
		cfg, err := g.loadConfig()
		if err != nil {
			return err
		}
		from = cfg.DatabasePath()
	}
	if postgres.IsURL(from) {
		return fmt.Errorf("migrate-store: --from must be a SQLite catalog file, got the URL %q", from)
	}
	p := g.printer()
	p.Infof("copying %s into %s", from, postgres.Redact(opts.to))
	rep, err := storecopy.Copy(ctx, from, opts.to, storecopy.Options{
		BatchRows: opts.batch,
		Progress: func(table string, rows int64) {
			if rows%int64(opts.batch*20) == 0 {
				p.Infof("  %s: %d rows", table, rows)
			}
		},
	})
	for _, t := range rep.Tables {
		verdict := "equal"
		if !t.Equal() {
			verdict = "DIFFERENT"
		}
		p.Printf("%-16s %10d rows  %10d copied  sha256 %.16s  %s\n", t.Table, t.DestRows, t.Inserted, t.DestSum, verdict)
	}
	if err != nil {
		return fmt.Errorf("migrate-store: %w", err)
	}
	p.Printf("copy verified: every table has the same rows and checksum on both sides\n")
	return nil
}
