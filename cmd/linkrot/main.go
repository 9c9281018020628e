// Command linkrot finds the URLs in a collection of documents, repairs the
// ones text processing broke, and keeps track of them in a catalog.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/ui"
	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
)

// Exit codes, decided only in exitCode.
const (
	exitOK    = 0
	exitError = 1 // usage or runtime error
)

// globals holds what every command shares: flags of the root command and
// where output goes.
type globals struct {
	configPath string
	quiet      bool
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
	getenv     func(string) string
	now        func() time.Time // the clock; tests set it

	cpuProfile  string
	stopProfile func()
}

func main() {
	g := &globals{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(g).ExecuteContext(ctx)
	stop()
	code := exitCode(err)
	if err != nil {
		fmt.Fprintf(g.stderr, "linkrot: %v\n", err)
	}
	os.Exit(code)
}

// exitCode is the single place errors become exit codes.
func exitCode(err error) int {
	var ec *exitCodeError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		return ec.code
	default:
		return exitError
	}
}

// exitCodeError carries a specific exit code for errors that need one.
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:           "linkrot",
		Short:         "Find, repair and watch the links in your documents",
		Long:          "linkrot finds every URL in a collection of documents, repairs the ones that text processing broke,\nand keeps them in a catalog so that dead links can be found and restored.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       config.Version,
	}
	root.SetOut(g.stdout)
	root.SetErr(g.stderr)
	root.PersistentFlags().StringVar(&g.configPath, "config", "", "configuration file (default ./config.yaml, then $XDG_CONFIG_HOME/linkrot/config.yaml)")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print results and warnings only")
	// A CPU profile of any command, for benchmarks; hidden from help.
	root.PersistentFlags().StringVar(&g.cpuProfile, "cpuprofile", "", "write a CPU profile to `FILE`")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if g.cpuProfile == "" {
			return nil
		}
		f, err := os.Create(g.cpuProfile)
		if err != nil {
			return err
		}
		g.stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		return pprof.StartCPUProfile(f)
	}
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) {
		if g.stopProfile != nil {
			g.stopProfile()
		}
	}
	root.AddCommand(newAddCmd(g), newLinksCmd(g), newExtractCmd(g), newCheckCmd(g), newHistoryCmd(g), newSnapshotsCmd(g), newRestoreCmd(g), newVerifyCmd(g))
	root.AddCommand(newFixCmd(g))
	root.AddCommand(newReportCmd(g))
	root.AddCommand(newRunCmd(g), newScheduleCmd(g), newServeCmd(g))
	root.AddCommand(newMigrateStoreCmd(g))
	return root
}

func (g *globals) printer() *ui.Printer { return ui.New(g.stdout, g.stderr, g.quiet) }

// loadConfig finds and loads the configuration the flags point at.
func (g *globals) loadConfig() (*config.Config, error) {
	path, err := config.Locate(g.configPath)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path, g.getenv)
	if err != nil {
		return nil, err
	}
	slog.SetDefault(newLogger(g.stderr, cfg))
	return cfg, nil
}

// openStore opens the catalog the configuration names.
func (g *globals) openStore(ctx context.Context, cfg *config.Config) (*store.SQLite, error) {
	if postgres.IsURL(cfg.DatabasePath()) {
		// store/postgres implements every store interface, but the
		// commands are not wired to it yet; failing here beats treating
		// the URL as a file name.
		return nil, fmt.Errorf("database %s: PostgreSQL catalogs are not yet usable by this command (only migrate-store is)", postgres.Redact(cfg.Database))
	}
	return store.OpenSQLite(ctx, cfg.DatabasePath())
}

func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
