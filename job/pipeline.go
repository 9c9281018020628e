package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/internal/ui"
	"github.com/linkrot/linkrot/reports"
	"github.com/linkrot/linkrot/store"
)

// PipelineOptions tune one whole job. Zero values are sensible.
type PipelineOptions struct {
	// Rescan ingests cfg.Sources before checking (run, serve), so documents
	// added since the last run are checked in this one.
	Rescan bool
	All    bool // check every link in use, due or not
	Verify bool // settle doubtful repairs on the web first
	Now    func() time.Time
	// Owner names the job lock's holder; pid@host when empty.
	Owner    string
	Kind     string // the run's kind in the catalog: "check", "run", "serve"
	Progress Progress
	Logger   *slog.Logger
	// Warn hears about each source file that could not be used fully;
	// the rescan goes on.
	Warn func(path string, err error)
	// Rescanned hears the rescan's counts as soon as it is done, before
	// the check (serve logs them in order).
	Rescanned func(ingest.Stats)
	// Archive is a long-lived archiver to capture with (serve shares one
	// with its web UI, so a single writer appends to the WARC files). When
	// nil and cfg.Archive.Enabled, the pipeline opens its own and closes it.
	Archive *archive.Archiver
	// Stop ends the check gently; see Options.Stop.
	Stop <-chan struct{}
	// Lookup asks the public archives about dead links after the checks
	// (LookUpDeadLinks), before the report; Printer hears its warnings.
	Lookup  bool
	Printer *ui.Printer
	// Queue, when set, checks instead of Check in this process: on a
	// PostgreSQL catalog, run and serve open a run on the shared queue,
	// which workers on other machines may join (Runner.queueCheck).
	Queue func(ctx context.Context, opts Options) (Summary, error)
}

// PipelineResult is what one job did. Check.RunID is 0 when no run began
// (the lock was held, the rescan or the catalog failed).
type PipelineResult struct {
	Rescanned   bool         `json:"rescanned"`
	Ingest      ingest.Stats `json:"ingest"`
	Check       Summary      `json:"check"`
	Lookups     LookupStats  `json:"lookups"`
	ReportFiles []string     `json:"reports"`
	// ReportErr is why the report could not be written. It never fails the job: the checks are already in the
	// catalog, and `linkrot report --run ID` writes the report again.
	ReportErr error `json:"-"`
}

// RunPipeline runs one whole job under the job lock: rescan the sources
// (when asked), check what is due (archiving live pages), and write the
// run's report. check, run and serve all go through it, so they cannot
// drift apart. The error is Check's (ErrNetworkDown, ErrStopped, ctx's), or
// why the job could not start (ErrJobRunning, configuration, catalog).
func RunPipeline(ctx context.Context, cfg *config.Config, st store.Catalog, p PipelineOptions) (PipelineResult, error) {
	var res PipelineResult
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Logger == nil {
		p.Logger = slog.Default()
	}
	if p.Printer == nil {
		p.Printer = ui.New(io.Discard, os.Stderr, false)
	}
	if p.Owner == "" {
		p.Owner = defaultOwner() // the same owner for the lock and for Check
	}
	// Everything that can fail on configuration alone fails before the
	// lock is taken, so a bad config never blocks another process's run.
	excluder, err := cfg.Exclude.Compile()
	if err != nil {
		return res, err
	}
	// With the archive on, checks GET the page and keep its body, so a
	// snapshot never needs a second fetch.
	chk, err := crawler.New(cfg.Crawler, cfg.Network, crawler.Options{Now: p.Now, KeepBody: cfg.Archive.Enabled})
	if err != nil {
		return res, err
	}
	defer chk.Close()

	// One lock over rescan, check and report, so that two jobs (serve's
	// and a `linkrot run` from cron) never overlap in any part: a rescan
	// rewrites the occurrences whose repairs a check's verification adopts.
	release, err := Lock(ctx, st, p.Owner, p.Now, p.Logger)
	if err != nil {
		return res, err
	}
	defer release()

	if p.Rescan {
		res.Rescanned = true
		if len(cfg.Sources) == 0 {
			p.Logger.Warn("no sources in the configuration; checking the catalog as it is")
		} else {
			res.Ingest, err = ingest.Add(ctx, st, cfg.Sources, ingest.Options{Now: p.Now, Warn: p.Warn})
			if err != nil {
				return res, fmt.Errorf("rescanning the sources: %w", err)
			}
		}
		if p.Rescanned != nil {
			p.Rescanned(res.Ingest)
		}
	}

	var capturer Capturer
	arc := p.Archive
	if arc == nil && (cfg.Archive.Enabled || cfg.Drift.Enabled) {
		// With the archive off, the archiver only reads: the copies kept
		// before are still the references drift compares with.
		arc, err = archive.New(cfg.Archive, cfg.DataDir, st, archive.Options{Now: p.Now, Logger: p.Logger})
		if err != nil {
			return res, err
		}
		defer arc.Close()
	}
	if cfg.Archive.Enabled {
		capturer = arc
	}
	var drifts *DriftOptions
	if cfg.Drift.Enabled {
		drifts = &DriftOptions{Threshold: cfg.Drift.Threshold, Texts: arc}
	}
	opts := Options{
		All: p.All, Policy: crawler.PolicyFrom(cfg.Recheck, cfg.DeadAfter), Excluder: excluder,
		Now: p.Now, Owner: p.Owner, Locked: true, Kind: p.Kind, Progress: p.Progress, Logger: p.Logger,
		Verify: p.Verify, Stop: p.Stop,
		ActiveHosts: activeHosts(cfg.Crawler), HostBacklog: 2 * max(cfg.Crawler.PerHost, 1),
		Archive: capturer, UserAgent: cfg.Crawler.UserAgentString(), Drift: drifts,
	}
	if p.Queue != nil {
		res.Check, err = p.Queue(ctx, opts)
	} else {
		res.Check, err = Check(ctx, st, chk, opts)
	}
	if res.Check.RunID == 0 {
		return res, err // nothing ran
	}
	// A run cut short by a shutdown skips its report: stopping must be
	// prompt, and `linkrot report --run ID` writes it later.
	if ctx.Err() == nil && !errors.Is(err, ErrStopped) {
		if p.Lookup && err == nil {
			var lerr error
			res.Lookups, lerr = LookUpDeadLinks(ctx, cfg, st, p.Now, p.Printer, p.Logger)
			if lerr != nil {
				p.Logger.Warn("public archive lookups", "err", lerr)
			}
		}
		var texts reports.SnapshotTexts
		if arc != nil {
			texts = arc
		}
		res.ReportFiles, res.ReportErr = writePipelineReport(ctx, cfg, st, res.Check.RunID, p, texts)
	}
	return res, err
}

// writePipelineReport writes the run's report to reports.dir.
func writePipelineReport(ctx context.Context, cfg *config.Config, st store.Catalog, runID int64, p PipelineOptions, texts reports.SnapshotTexts) ([]string, error) {
	if len(cfg.Reports.Formats) == 0 {
		return nil, nil // reports turned off
	}
	return WriteReport(ctx, st, runID, cfg.Reports.Dir, cfg.Reports.Formats, p.Now, texts)
}

// activeHosts is how many hosts the feed works at a time: enough to fill
// the global slots twice over at per_host each, and at least a quarter as
// many as there are slots. A few hosts at a high per_host would each need
// that many connections (a dial and, over TLS, a handshake per slot, once
// per host); spread over more hosts, fewer connections per host are
// opened and kept busy.
func activeHosts(cc config.Crawler) int {
	return max(2*cc.Concurrency/max(cc.PerHost, 1), cc.Concurrency/4, 1)
}
