// Command linkrot finds the URLs in a collection of documents, repairs the
// ones text processing broke, and keeps track of them in a catalog.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/ui"
	"github.com/linkrot/linkrot/job"
)

// Exit codes, decided only in exitCode (README.md, "Exit codes").
const (
	exitOK          = 0
	exitError       = 1   // failed, or could not run
	exitBroken      = 2   // broken links found (report --fail-on)
	exitNetworkDown = 3   // the run was judged our own network's outage
	exitInterrupted = 130 // SIGINT or SIGTERM; the partial run is recorded as interrupted
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
	memProfile  string
	traceFile   string
	stopProfile []func()
}

func main() {
	if os.Getenv("GOGC") == "" {
		// A check run allocates ~40 KB per check around a small live heap,
		// so the default (100) collects every few hundred checks. 200
		// halves that: 5% less CPU and 1–2% closer to the polite request
		// bound for 7 MiB more peak memory (docs/benchmarks.md, session
		// 20). GOGC in the environment still decides.
		debug.SetGCPercent(200)
	}
	g := &globals{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd(g).ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil {
		err = errInterrupted // whatever failed, it failed because we were told to stop
	}
	stop()
	code := exitCode(err)
	if err != nil {
		fmt.Fprintf(g.stderr, "linkrot: %v\n", err)
	}
	os.Exit(code)
}

// errInterrupted is what a command stopped by SIGINT or SIGTERM reports.
var errInterrupted = errors.New("interrupted")

// exitCode is the single place errors become exit codes. Errors keep their
// type on the way here (wrapped with %w), so this switch can tell them apart.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errInterrupted), errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, job.ErrNetworkDown):
		return exitNetworkDown
	case errors.Is(err, job.ErrBrokenLinks):
		return exitBroken
	default:
		return exitError
	}
}

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
	// What a command allocated (the "allocs" profile), written when it ends.
	root.PersistentFlags().StringVar(&g.memProfile, "memprofile", "", "write an allocation profile to `FILE`")
	_ = root.PersistentFlags().MarkHidden("memprofile")
	// An execution trace (go tool trace): where checks wait for a core.
	root.PersistentFlags().StringVar(&g.traceFile, "trace", "", "write an execution trace to `FILE`")
	_ = root.PersistentFlags().MarkHidden("trace")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		return g.startProfiles()
	}
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) {
		g.stopProfiles()
	}
	root.AddCommand(newAddCmd(g), newLinksCmd(g), newExtractCmd(g), newCheckCmd(g), newHistoryCmd(g), newSnapshotsCmd(g), newRestoreCmd(g), newVerifyCmd(g))
	root.AddCommand(newFixCmd(g))
	root.AddCommand(newReportCmd(g))
	root.AddCommand(newRunCmd(g), newScheduleCmd(g), newServeCmd(g))
	root.AddCommand(newMigrateStoreCmd(g), newWorkerCmd(g))
	return root
}

func (g *globals) printer() *ui.Printer { return ui.New(g.stdout, g.stderr, g.quiet) }
