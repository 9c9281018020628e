// Package reports turns the catalog into broken-link reports: what a check
// run (or the runs of a period) found dead, newly dead, recovered, moved,
// suspect and blocked; where each of those links is used; the copies that
// can replace a dead one; and the URL repairs the run exercised.
//
// Build reads the catalog and returns a Report, a plain value; Render
// writes it in one of Formats (one file per format in this package); Write
// stores a set of formats in the reports directory. The JSON form is a
// versioned, documented schema (Schema, docs/report-schema.json) for tools.
//
// Reports read and render only: no network, no writes to the catalog.
// The public copies of dead links they show are the answers the
// application layer (job.LookUpDeadLinks) cached in the catalog.
package reports

import (
	"strings"
	"time"

	"github.com/linkrot/linkrot/store"
)

// Schema names the JSON form. A change that removes or renames a field, or
// changes its meaning, gets a new version; adding a field does not.
const Schema = "linkrot.report/v1"

// The link states the report lists, by the catalog's names.
const (
	stateAlive   = store.StateAlive
	stateMoved   = store.StateMoved
	stateSuspect = store.StateSuspect
	stateDead    = store.StateDead
	stateBlocked = store.StateBlocked
)

// Report is everything one report says. Times are UTC. Lists are never nil
// in a Report from Build, so the JSON form always has every field.
type Report struct {
	Schema      string    `json:"schema"`
	GeneratedAt time.Time `json:"generated_at"`
	Selection   Scope     `json:"selection"`
	Summary     Summary   `json:"summary"`

	// NewlyDead are the links that became dead in the selection: a check
	// in it moved them from another state to dead (for a period: dead at
	// its end and not dead before its first check of them).
	NewlyDead []Entry `json:"newly_dead"`
	// StillDead are the links dead at the end of the selection that were
	// dead before it, whether the selection checked them again or not.
	StillDead []Entry `json:"still_dead"`
	// Recovered were dead and came back (alive or moved) in the selection.
	Recovered []Entry `json:"recovered"`
	// Moved, Suspect and Blocked are the links in that state at the end of
	// the selection. A moved link works through a permanent redirect:
	// MovedTo is the URL to use instead.
	Moved   []Entry `json:"moved"`
	Suspect []Entry `json:"suspect"`
	Blocked []Entry `json:"blocked"`

	// Repaired are the URLs that extraction repaired (or the web settled)
	// whose link the selection checked.
	Repaired []Repair `json:"repaired"`

	// Documents groups the dead, suspect and moved links by the documents
	// that use them; Hosts groups the selection's failures by host, the
	// hosts that fail most first.
	Documents []DocumentGroup `json:"documents"`
	Hosts     []HostGroup     `json:"hosts"`

	// ChangedSinceCited are the links that still answer but no longer say
	// what was cited (drifted) or became something else (replaced), by
	// their latest content verdict made by the end of the selection.
	ChangedSinceCited []Changed `json:"changed_since_cited"`
}

// Scope says what the report covers.
type Scope struct {
	// Kind is "run" (one run: --latest or --run) or "since" (every run
	// started at or after Since).
	Kind  string     `json:"kind"`
	Since *time.Time `json:"since"`
	// FirstRun and LastRun are the IDs of the runs covered, oldest and
	// newest; both 0 when a period holds no run.
	FirstRun int64 `json:"first_run"`
	LastRun  int64 `json:"last_run"`
	// Latest: LastRun is the newest run in the catalog, so the states are
	// the links' states now. Otherwise they are the states the links had
	// when the next run began.
	Latest bool `json:"latest"`
}

// Summary is the selection in numbers.
type Summary struct {
	Runs []RunInfo `json:"runs"` // oldest first
	// Status is the last run's status (ok, network_down, interrupted,
	// failed, running), or "none" when a period holds no run.
	Status          string     `json:"status"`
	StartedAt       *time.Time `json:"started_at"`
	FinishedAt      *time.Time `json:"finished_at"`
	DurationSeconds float64    `json:"duration_seconds"` // the runs' durations added up
	Checks          int        `json:"checks"`           // checks made
	LinksChecked    int        `json:"links_checked"`    // distinct links checked
	// ByState counts the links checked by the state their last check in
	// the selection left them in; checks that changed no state (the
	// checker's own network outage) are not in it. ByClass counts the
	// checks by class.
	ByState map[string]int `json:"by_state"`
	ByClass map[string]int `json:"by_class"`

	Dead      int `json:"dead"` // NewlyDead + StillDead
	NewlyDead int `json:"newly_dead"`
	StillDead int `json:"still_dead"`
	Recovered int `json:"recovered"`
	Moved     int `json:"moved"`
	Suspect   int `json:"suspect"`
	Blocked   int `json:"blocked"`
	Repaired  int `json:"repaired"`
	// Drifted and Replaced count ChangedSinceCited.
	Drifted  int `json:"drifted"`
	Replaced int `json:"replaced"`
}

// RunInfo is one run of the selection.
type RunInfo struct {
	ID              int64          `json:"id"`
	Kind            string         `json:"kind"` // what started it: "check", "run", ...
	Status          string         `json:"status"`
	StartedAt       time.Time      `json:"started_at"`
	FinishedAt      *time.Time     `json:"finished_at"` // null while running
	DurationSeconds float64        `json:"duration_seconds"`
	Counters        map[string]int `json:"counters"` // what the job counted
}

// Entry is one link in a report list.
type Entry struct {
	URL  string `json:"url"`
	Host string `json:"host"`
	// State is the link's state at the end of the selection; StateBefore
	// its state before the selection's first check of it, "" when the
	// selection did not check it.
	State       store.LinkState `json:"state"`
	StateBefore store.LinkState `json:"state_before"`
	// The check that tells the most: the selection's last check of the
	// link when it made one, else the link's last check.
	Class       string     `json:"class"`
	Status      int        `json:"status"` // HTTP status, 0 when none
	Error       string     `json:"error"`
	Evidence    []string   `json:"evidence"` // only for a check in the selection
	LastChecked *time.Time `json:"last_checked"`
	FinalURL    string     `json:"final_url"`
	// MovedTo is where a permanent redirect leads; kept while the link
	// fails, as the likeliest replacement.
	MovedTo   string    `json:"moved_to"`
	FirstSeen time.Time `json:"first_seen"`
	// The failure streak as the catalog has it now.
	Failures     int        `json:"failures"`
	FirstFailure *time.Time `json:"first_failure"`
	LastSuccess  *time.Time `json:"last_success"`

	// Occurrences are the places the link is used, in documents that
	// exist now.
	Occurrences []Place `json:"occurrences"`
	// Snapshot is the latest good local copy; ArchiveCopy the copy in a
	// public web archive, when one was looked up and found.
	Snapshot    *SnapshotRef `json:"snapshot"`
	ArchiveCopy *ArchiveRef  `json:"archive_copy"`
}

// Place is one use of a link in a document.
type Place struct {
	Document string `json:"document"` // path, as the catalog has it
	Title    string `json:"title"`    // the document's title, if it has one
	Line     int    `json:"line"`     // 1-based
	Column   int    `json:"column"`   // 1-based, in bytes
	Role     string `json:"role"`     // "source" (the document's own origin) or "cited"
	Raw      string `json:"raw"`      // the text as found, before any repair
	Repaired bool   `json:"repaired"`
}

// SnapshotRef is a local copy, with the command that gives it back.
type SnapshotRef struct {
	CapturedAt     time.Time `json:"captured_at"`
	URL            string    `json:"url"` // the URL fetched, after redirects
	Title          string    `json:"title"`
	RestoreCommand string    `json:"restore_command"`
}

// ArchiveRef is a copy in a public web archive.
type ArchiveRef struct {
	URL    string    `json:"url"`
	Time   time.Time `json:"time"`   // when the archive captured the page
	Source string    `json:"source"` // "wayback", "memento:<timegate host>"
}

// Repair is one repaired URL in one document, for a person to audit.
type Repair struct {
	Document string `json:"document"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Raw      string `json:"raw"` // the text as found
	URL      string `json:"url"` // the URL used
	// ExtractedURL is what extraction made of Raw when checking the web
	// chose another URL; "" otherwise.
	ExtractedURL string          `json:"extracted_url"`
	Confidence   float64         `json:"confidence"`
	Repairs      []string        `json:"repairs"`      // what was done to the text
	Alternatives []string        `json:"alternatives"` // other URLs it could be
	Reasons      []string        `json:"reasons"`      // the evidence
	Verified     bool            `json:"verified"`     // settled by checking the web
	VerifiedAt   *time.Time      `json:"verified_at"`
	State        store.LinkState `json:"state"` // the link's state now
}

// DocumentGroup is one document and its dead, suspect and moved links.
type DocumentGroup struct {
	Path  string    `json:"path"`
	Title string    `json:"title"`
	Links []DocLink `json:"links"` // by line, then column
}

// DocLink is one use of a reported link in a document.
type DocLink struct {
	URL       string          `json:"url"`
	State     store.LinkState `json:"state"`
	NewlyDead bool            `json:"newly_dead"`
	Line      int             `json:"line"`
	Column    int             `json:"column"`
	Role      string          `json:"role"`
	MovedTo   string          `json:"moved_to"`
}

// HostGroup is one host's share of the trouble.
type HostGroup struct {
	Host string `json:"host"`
	// Checked counts the host's links the selection checked and Failed
	// those whose check failed (left suspect or dead).
	Checked int `json:"checked"`
	Failed  int `json:"failed"`
	// Dead, Suspect and Blocked count the host's links in the report's
	// lists.
	Dead    int `json:"dead"`
	Suspect int `json:"suspect"`
	Blocked int `json:"blocked"`
}

// RestoreCommand is the command that gives back the local copy of url,
// quoted for a POSIX shell where the URL needs it.
func RestoreCommand(url string) string { return "linkrot restore " + shellQuote(url) }

// shellQuote leaves a word of only unremarkable characters alone and puts
// anything else in single quotes, so that a URL's '&', '?' or ';' reaches
// linkrot instead of the shell.
func shellQuote(s string) string {
	safe := func(r rune) bool {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			strings.ContainsRune("-_./:@%+=,", r)
	}
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !safe(r) }) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
