package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/fix"
	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/internal/ui"
	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
)

// Runner is linkrot's application layer: every operation that changes the
// catalog is one of its methods, and each takes the job lock itself. It is
// built once per process from the configuration, the catalog, a clock and
// a printer; commands parse flags, make one call and print the answer.
type Runner struct {
	cfg      *config.Config
	cat      store.Catalog
	pg       *postgres.Store // the same catalog when it is PostgreSQL, else nil
	now      func() time.Time
	out      *ui.Printer
	log      *slog.Logger
	owner    string
	readOnly bool
}

// Deps are what a Runner is built from besides the configuration.
type Deps struct {
	Now     func() time.Time // the clock; time.Now when nil
	Printer *ui.Printer      // warnings and progress; stderr when nil
	Logger  *slog.Logger     // slog.Default() when nil
	// ReadOnly opens the catalog for reading only (links, report, history,
	// snapshots): it then works on a file the user may not write, and
	// every method that writes fails.
	ReadOnly bool
	Owner    string // the job lock's holder; pid@host when empty
}

// Open opens the catalog the configuration names and builds the Runner.
func Open(ctx context.Context, cfg *config.Config, d Deps) (*Runner, error) {
	r := &Runner{cfg: cfg, now: d.Now, out: d.Printer, log: d.Logger, owner: d.Owner, readOnly: d.ReadOnly}
	if r.now == nil {
		r.now = time.Now
	}
	if r.out == nil {
		r.out = ui.New(os.Stdout, os.Stderr, false)
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.owner == "" {
		r.owner = defaultOwner()
	}
	if postgres.IsURL(cfg.Database) {
		// Several processes share a PostgreSQL catalog; opening it also
		// brings its schema up to date, read-only commands included.
		pg, err := postgres.Open(ctx, cfg.Database)
		if err != nil {
			return nil, err
		}
		r.cat, r.pg = pg, pg
		return r, nil
	}
	var err error
	if _, serr := os.Stat(cfg.DatabasePath()); d.ReadOnly && errors.Is(serr, os.ErrNotExist) {
		return nil, fmt.Errorf("no catalog at %s yet: run `linkrot add` and `linkrot check` first", cfg.DatabasePath())
	}
	if d.ReadOnly {
		r.cat, err = store.OpenSQLiteReadOnly(ctx, cfg.DatabasePath())
	} else {
		r.cat, err = store.OpenSQLite(ctx, cfg.DatabasePath())
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Close closes the catalog.
func (r *Runner) Close() error { return r.cat.Close() }

// Config is the configuration the Runner was built from.
func (r *Runner) Config() *config.Config { return r.cfg }

// Catalog is the catalog, for commands that only read it.
func (r *Runner) Catalog() store.Catalog { return r.cat }

// Postgres is the catalog when it is PostgreSQL (workers, the scheduler's
// election), else nil.
func (r *Runner) Postgres() *postgres.Store { return r.pg }

// Now is the Runner's clock.
func (r *Runner) Now() time.Time { return r.now() }

// locked runs fn under the job lock. The lock is refused at once (with
// ErrJobRunning naming its holder) when another process holds it: waiting
// behind a night's check would look like a hang.
func (r *Runner) locked(ctx context.Context, fn func() error) error {
	return r.lockedAs(ctx, r.owner, fn)
}

func (r *Runner) lockedAs(ctx context.Context, owner string, fn func() error) error {
	if r.readOnly {
		return errors.New("the catalog was opened read-only")
	}
	release, err := Lock(ctx, r.cat, owner, r.now, r.log)
	if err != nil {
		return err
	}
	defer release()
	return fn()
}

// ExpandPath expands a leading ~ (the home directory), so that a path or a
// quoted glob written as in a shell works the same from a config file.
func ExpandPath(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}

// existingPaths expands ~ in each path and fails, naming the argument,
// when a path does not exist or a pattern matches nothing: a typo must not
// look like an empty collection.
func existingPaths(args []string) ([]string, error) {
	out := make([]string, 0, len(args))
	for _, a := range args {
		p, err := ExpandPath(a)
		if err != nil {
			return nil, err
		}
		if strings.ContainsAny(p, "*?[") {
			m, err := filepath.Glob(p)
			if err != nil {
				return nil, fmt.Errorf("%s: bad pattern: %w", a, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: pattern matches no file", a)
			}
		} else if _, err := os.Stat(p); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s: no such file or directory", a)
			}
			return nil, fmt.Errorf("%s: %w", a, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Add scans documents (paths, folders or globs; the configured sources
// when none) into the catalog under the job lock.
func (r *Runner) Add(ctx context.Context, args []string) (ingest.Stats, error) {
	if len(args) == 0 {
		args = r.cfg.Sources
	}
	if len(args) == 0 {
		return ingest.Stats{}, errors.New("add: no paths given and no sources in the configuration")
	}
	paths, err := existingPaths(args)
	if err != nil {
		return ingest.Stats{}, err
	}
	var stats ingest.Stats
	err = r.locked(ctx, func() error {
		stats, err = ingest.Add(ctx, r.cat, paths, ingest.Options{Now: r.now, Warn: r.warn})
		return err
	})
	return stats, err
}

func (r *Runner) warn(path string, err error) { r.out.Warnf("%s: %v", path, err) }

// CheckOptions choose what Check and Run do.
type CheckOptions struct {
	All    bool // every link in use, due or not
	Verify bool // settle doubtful repairs on the web first
	// Lookup asks the public archives about dead links after the checks
	// (run and serve always do, when archive.external is on).
	Lookup   bool
	Progress bool            // draw a progress bar (when stderr is a terminal)
	Stop     <-chan struct{} // ends the check gently
}

// Check checks what is due (a "check" run), archives live pages and writes
// the run's report.
func (r *Runner) Check(ctx context.Context, o CheckOptions) (PipelineResult, error) {
	return r.pipeline(ctx, "check", false, o)
}

// Run is the whole job of `linkrot run` and serve's schedule: rescan the
// sources, check, archive, look up public copies, report. On a PostgreSQL
// catalog the check is a run on the shared queue: this process works it,
// and `linkrot worker` processes elsewhere may join.
func (r *Runner) Run(ctx context.Context, kind string, o CheckOptions) (PipelineResult, error) {
	o.Lookup = true
	return r.pipeline(ctx, kind, true, o)
}

func (r *Runner) pipeline(ctx context.Context, kind string, rescan bool, o CheckOptions) (PipelineResult, error) {
	var progress Progress
	if o.Progress {
		if b := r.out.Bar("checking"); b != nil {
			progress = &barProgress{b: b}
		} else {
			progress = &lineProgress{out: r.out, told: map[string]bool{}}
		}
	}
	p := PipelineOptions{
		Rescan: rescan, All: o.All, Verify: o.Verify, Lookup: o.Lookup, Now: r.now, Owner: r.owner,
		Kind: kind, Progress: progress, Logger: r.log, Warn: r.warn, Stop: o.Stop, Printer: r.out,
	}
	if rescan {
		// run (not check) goes through the shared queue on PostgreSQL.
		p.Queue = r.queueCheck()
	}
	return RunPipeline(ctx, r.cfg, r.cat, p)
}

// barProgress shows a run's progress on the printer's bar, and what the
// run waits on when it waits.
type barProgress struct {
	b       *ui.Bar
	mu      sync.Mutex
	waiting bool
}

func (p *barProgress) Start(total int) { p.b.Start(total) }
func (p *barProgress) Finish()         { p.b.Finish() }
func (p *barProgress) Checked(string, crawler.Class, store.LinkState) {
	p.mu.Lock()
	if p.waiting {
		p.waiting = false
		p.b.Describe("checking")
	}
	p.mu.Unlock()
	p.b.Add(1)
}
func (p *barProgress) Waiting(url string, d time.Duration) {
	p.mu.Lock()
	p.waiting = true
	p.mu.Unlock()
	p.b.Describe(waitingText(url, d))
}

// lineProgress is the progress of a run whose diagnostics are not a
// terminal (a log, CI): no bar, but one line for each URL the run has
// waited on for a while.
type lineProgress struct {
	out  *ui.Printer
	mu   sync.Mutex
	told map[string]bool
}

func (p *lineProgress) Start(int)                                      {}
func (p *lineProgress) Checked(string, crawler.Class, store.LinkState) {}
func (p *lineProgress) Finish()                                        {}
func (p *lineProgress) Waiting(url string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.told[url] || len(p.told) > 100 {
		return
	}
	p.told[url] = true
	p.out.Infof("%s", waitingText(url, d))
}

func waitingText(url string, d time.Duration) string {
	return fmt.Sprintf("waiting %s on %s", d.Round(time.Second), url)
}

// ErrBadURL is returned (wrapped, naming the URL) for a URL that cannot be
// checked at all.
var ErrBadURL = errors.New("not an absolute http(s) URL")

// CheckURL checks one URL now. A URL in the catalog gets the check
// recorded and its state updated, under the job lock like any run; state
// is "" for a URL the catalog does not hold.
func (r *Runner) CheckURL(ctx context.Context, raw string) (res crawler.Result, state store.LinkState, err error) {
	return r.checkURL(ctx, raw, r.owner)
}

// Recheck is CheckURL for serve's "recheck now" button. It takes the job
// lock under an owner of its own, so that while a scheduled run holds the
// lock it is refused (ErrJobRunning) instead of sharing the run's lock
// and releasing it at its end; a run due meanwhile skips its turn.
func (r *Runner) Recheck(ctx context.Context, raw string) (crawler.Result, store.LinkState, error) {
	return r.checkURL(ctx, raw, r.owner+"/recheck")
}

func (r *Runner) checkURL(ctx context.Context, raw, owner string) (res crawler.Result, state store.LinkState, err error) {
	if u, perr := url.Parse(raw); perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return res, "", fmt.Errorf("--url %q: %w", raw, ErrBadURL)
	}
	chk, err := crawler.New(r.cfg.Crawler, r.cfg.Network, crawler.Options{Now: r.now})
	if err != nil {
		return res, "", err
	}
	defer chk.Close()
	link, lerr := r.cat.LinkByURL(ctx, raw)
	if lerr != nil && !errors.Is(lerr, store.ErrNotFound) {
		return res, "", lerr
	}
	if lerr != nil { // not in the catalog: nothing to record, no lock
		return chk.Check(ctx, raw), "", nil
	}
	err = r.lockedAs(ctx, owner, func() error {
		res = chk.Check(ctx, raw)
		state, err = RecordOne(ctx, r.cat, link, res, crawler.PolicyFrom(r.cfg.Recheck, r.cfg.DeadAfter))
		return err
	})
	return res, state, err
}

// Verify re-reads the local archive and reports each problem to fn. It
// holds the job lock: a run appending to a WARC file while it is read
// would look like a truncated record.
//
// With repair, the leftovers of a killed capture (temporary files and blobs
// no snapshot names) are removed afterwards, however young: under the job
// lock no capture is writing them.
func (r *Runner) Verify(ctx context.Context, repair bool, fn func(archive.Problem)) (stats archive.VerifyStats, removed archive.Cleanup, err error) {
	err = r.locked(ctx, func() error {
		arc, err := archive.New(r.cfg.Archive, r.cfg.DataDir, r.cat, archive.Options{Now: r.now, Logger: r.log})
		if err != nil {
			return err
		}
		defer arc.Close()
		if stats, err = arc.Verify(ctx, fn); err != nil || !repair {
			return err
		}
		if removed, err = arc.RemoveLeftovers(ctx, 0); err != nil {
			return fmt.Errorf("repair: %w", err)
		}
		return nil
	})
	return stats, removed, err
}

// Fix rewrites (or, without o.Write, diffs) documents so that their
// references survive. Public copies come from the catalog's cache of
// lookups, never from the network. Writing holds the job lock, since a
// written document is rescanned into the catalog.
func (r *Runner) Fix(ctx context.Context, args []string, o fix.Options) (fix.Stats, error) {
	paths, err := existingPaths(args)
	if err != nil {
		return fix.Stats{}, err
	}
	o.Now, o.Warn = r.now, r.warn
	if o.LocalBase == "" {
		o.LocalBase = r.cfg.Web.BaseURL // where serve's copies are reachable, if said
	}
	if o.Archive != fix.ArchiveLocal && r.lookupsEnabled() {
		o.Remote = cachedCopies{r.cat}
	}
	var stats fix.Stats
	do := func() error {
		stats, err = fix.Run(ctx, r.cat, paths, o)
		return err
	}
	if !o.Write {
		return stats, do()
	}
	return stats, r.locked(ctx, do)
}

// ErrBrokenLinks is returned (wrapped, with the count) when a report has
// links at or above the level `report --fail-on` names.
var ErrBrokenLinks = errors.New("broken links found")
