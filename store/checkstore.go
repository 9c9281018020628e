package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// CheckStore is the catalog as the checking job uses it: which links are
// due, the history of checks and runs, verified repairs and the lock that
// keeps two jobs apart. It is separate from Store so that readers of the
// catalog (reports, the CLI's listing commands, ingest) need not know about
// it and a new implementation can pass the Store suite first; *SQLite
// implements both, and storetest.Run tests this part too when the store
// has it.
//
// Streaming methods follow the Store rules: fn is called once per row, the
// first error it returns stops the stream and is returned unwrapped, and fn
// may call any method, writes included (a crawler records checks while it
// streams DueLinks).
type CheckStore interface {
	Store

	// LinkByURL returns one link, with its counts as Links gives them;
	// ErrNotFound if url is not a link.
	LinkByURL(ctx context.Context, url string) (Link, error)

	// DueLinks streams the links to check: those whose next check is at or
	// before now, or every link if all is set, ordered by next check then
	// ID. Only links used in at least one
	// document that is not missing are given: a URL nobody cites any more
	// is not worth a request. Excluded and blocked links are given like
	// any other; the caller decides what to do with them.
	DueLinks(ctx context.Context, now time.Time, all bool, fn func(DueLink) error) error
	// CountDue is how many links DueLinks would stream, without reading
	// them: a run's progress total.
	CountDue(ctx context.Context, now time.Time, all bool) (int, error)
	// DueHosts streams, in host order, up to limit hosts after afterHost
	// that have a due link; DueLinksOfHost streams one page of a host's due
	// links by ID. Together they let a run take links a few hosts at a
	// time, interleaved, holding a page per host in memory.
	DueHosts(ctx context.Context, now time.Time, all bool, afterHost string, limit int, fn func(host string) error) error
	DueLinksOfHost(ctx context.Context, now time.Time, all bool, q DueQuery, fn func(DueLink) error) error
	// LinkStateCounts counts the links in use by state.
	LinkStateCounts(ctx context.Context) (map[LinkState]int, error)

	// BeginRun records the start of a job run (status "running") and
	// returns its ID for RecordCheck and FinishRun. A zero startedAt means
	// now. kind is free text naming what started it ("run", "check").
	BeginRun(ctx context.Context, startedAt time.Time, kind string) (runID int64, err error)
	// FinishRun records how a running run ended: status is RunOK,
	// RunNetworkDown, RunInterrupted or RunFailed; summary is whatever
	// counters the job kept. ErrNotFound for an unknown run; finishing a
	// run twice is an error. A run left "running" by a process that died
	// can be finished (as interrupted) by the next job that holds the lock.
	FinishRun(ctx context.Context, runID int64, finishedAt time.Time, status RunStatus, summary *RunSummary) error
	// Runs streams the most recent runs, newest first; limit <= 0 means
	// all of them.
	Runs(ctx context.Context, limit int, fn func(Run) error) error

	// RecordCheck stores one finished check and, when state is not nil,
	// the link's new state and next check (a zero nextCheck means due at
	// once, and is stored as c.CheckedAt), in one transaction that is committed before it returns, so a
	// killed process loses nothing it has been told is recorded. The link
	// is c.LinkID, or the link of c.URL when LinkID is 0 (ErrNotFound if
	// there is none; an error if both are given and disagree).
	//
	// With state nil the check is history only and the link is not
	// touched. c.Pending records a check whose state change is deferred
	// (see PendingChecks); it requires a run and a nil state. A zero
	// c.CheckedAt or an empty c.Class is refused: the state machine dates
	// everything by CheckedAt, so the store must not invent one.
	RecordCheck(ctx context.Context, c CheckRecord, state *LinkStatus, nextCheck time.Time) (checkID int64, err error)
	// RecordChecks stores several finished checks, each as RecordCheck
	// would, in order, in one transaction: all of them are committed
	// before it returns, or none is (the error names the check refused).
	// It returns their IDs in the order given. A check run groups its
	// writes with it, since a transaction per check costs more CPU than
	// the check itself.
	RecordChecks(ctx context.Context, ws []CheckWrite) (checkIDs []int64, err error)

	// The network_down rule (DESIGN.md): whether a run's failures are the
	// checker's own outage is known only at the end of the run, so its
	// checks are recorded with Pending set, which changes no link, and
	// their links stay due. At the end the job either
	//   - streams PendingChecks and, for each, computes the link's new
	//     state from its current one (LinkByURL) and calls ApplyPending, or
	//   - calls MarkRunNetworkDown, which turns them all into network_down
	//     checks and leaves the links alone, still due for the next run.
	// A run killed in between leaves them pending for good: they never
	// counted, and the links, still due, are checked again by the next run.

	// PendingChecks streams a run's pending checks in the order they were
	// recorded.
	PendingChecks(ctx context.Context, runID int64, fn func(CheckRecord) error) error
	// ApplyPending applies a pending check: the link gets state and
	// nextCheck (and the check's class, status and time as its last
	// check), and the check stops being pending, in one transaction.
	// ErrNotFound if the check does not exist or is not pending, so that
	// applying twice cannot count a failure twice.
	ApplyPending(ctx context.Context, checkID int64, state LinkStatus, nextCheck time.Time) error
	// MarkRunNetworkDown rewrites the run's pending checks as network_down
	// (the class observed is kept in their evidence), clears Pending and
	// returns how many there were. Links are not touched.
	MarkRunNetworkDown(ctx context.Context, runID int64) (int, error)

	// History streams the checks of url, newest first; ErrNotFound if url
	// is not a link.
	History(ctx context.Context, url string, fn func(CheckRecord) error) error

	// OccurrencesNeedingVerification streams the occurrences, in documents
	// that are not missing, whose repair is doubtful (confidence below
	// VerifyBelow, or alternatives to choose from) and that were never
	// verified, by document path then offset.
	OccurrencesNeedingVerification(ctx context.Context, fn func(OccurrenceRef) error) error
	// AdoptRepair records that checking the web settled occurrence
	// occurrenceID (an OccurrenceRef.ID) on url: the occurrence moves to
	// url (a new link is created, due at once, if needed), its previous
	// URL joins its alternatives, reasons are appended to its reasons, its
	// confidence becomes confidence, and it is marked verified at at
	// (zero = now). Adopting the URL it already has just confirms it. The
	// verdict survives rescans of the document: re-extracting the same raw
	// text to the same URL there gives the adopted occurrence back.
	// ErrNotFound if the occurrence is gone: its document was saved again,
	// with changes, since the ID was read (IDs are never reused).
	AdoptRepair(ctx context.Context, occurrenceID int64, url string, confidence float64, reasons []string, at time.Time) error

	// AcquireLock takes the named lock for owner. It succeeds if nobody
	// holds it, if owner already does (the heartbeat is refreshed), or if
	// the holder's last heartbeat is staleAfter or more before now (the
	// holder is presumed dead and the lock taken over). Otherwise it
	// returns a *LockHeldError (errors.Is ErrLockHeld). Owners must be
	// unique per process: "pid@host" plus something random where pids
	// repeat (containers).
	AcquireLock(ctx context.Context, name, owner string, now time.Time, staleAfter time.Duration) error
	// Heartbeat tells other processes that owner is still working. It
	// returns an error matching ErrLockLost if owner no longer holds the
	// lock (it was presumed dead and taken over): the caller should stop.
	Heartbeat(ctx context.Context, name, owner string, now time.Time) error
	// ReleaseLock gives the lock up. Releasing a lock owner does not hold
	// (released already, or taken over) does nothing.
	ReleaseLock(ctx context.Context, name, owner string) error
}

var _ CheckStore = (*SQLite)(nil)

// VerifyBelow is the confidence under which a repaired URL is offered for
// verification on the web (OccurrencesNeedingVerification).
const VerifyBelow = 0.6

// ClassNetworkDown is the stored class of a check made while the checker's
// own network was down (crawler.ClassNetworkDown's name; the store does not
// import crawler).
const ClassNetworkDown = "network_down"

// DueLink is a link to check, with what the state machine needs.
type DueLink struct {
	ID   int64
	URL  string
	Host string
	LinkStatus
	FirstSeen   time.Time
	LastChecked time.Time // zero = never
	NextCheck   time.Time
	// DefangedOnly: every document that cites the link wrote it defanged
	// (hxxp, [.]), which marks a security indicator, not a page to visit.
	DefangedOnly bool
}

// Run is one job run.
type Run struct {
	ID         int64
	Kind       string
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Status     RunStatus
	Summary    *RunSummary // nil when the run recorded none
}

// CheckRecord is one finished check of a link. Empty slices come back as
// nil.
type CheckRecord struct {
	ID     int64 // assigned by RecordCheck
	LinkID int64
	RunID  int64 // 0 = outside any run
	URL    string
	// CheckedAt is when the check finished; the state machine dates the
	// link's failures by it.
	CheckedAt time.Time
	Class     string // the stable class name (crawler.Class.String())
	Status    int    // HTTP status of the last response, 0 if none
	FinalURL  string
	Redirects []Hop
	Method    string // HEAD or GET
	LatencyMS int64
	Attempts  int
	Error     string
	Evidence  []string
	// Pending: the check has not changed its link (yet); see PendingChecks.
	Pending bool
}

// OccurrenceRef is an occurrence with its identity, to act on it. ID stays
// valid until its document is saved again with changes, which replaces its
// occurrences; it is never given to another occurrence.
type OccurrenceRef struct {
	ID         int64
	Document   Document
	Occurrence Occurrence
}

// ErrLockHeld matches (errors.Is) a *LockHeldError.
var ErrLockHeld = errors.New("lock held by another process")

// ErrLockLost is returned (wrapped) by Heartbeat when the caller no longer
// holds the lock.
var ErrLockLost = errors.New("lock lost")

// LockHeldError says who holds a lock that AcquireLock could not take.
type LockHeldError struct {
	Name      string
	Owner     string
	Since     time.Time // when the holder acquired it
	Heartbeat time.Time // its last sign of life
}

func (e *LockHeldError) Error() string {
	return fmt.Sprintf("lock %q is held by %s since %s (last heartbeat %s)",
		e.Name, e.Owner, e.Since.Format(time.RFC3339), e.Heartbeat.Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrLockHeld) work.
func (e *LockHeldError) Is(target error) bool { return target == ErrLockHeld }
