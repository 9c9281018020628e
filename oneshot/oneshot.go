// Package oneshot is `linkrot check --once`: it checks the links of the
// files, folders, globs and URLs it is given in one go, the way a CI job
// wants, with no persistent catalog. Documents go through the same
// extraction and repair as `linkrot add`, into a temporary SQLite catalog
// that is removed at the end; links go through the same crawler as a
// scheduled run, but under a strict policy: one hard failure (404, 410,
// NXDOMAIN…) is enough to call a link dead, and transient failures (429,
// 5xx, timeouts) are retried only within a time budget, after which they
// are reported for what they are.
package oneshot

import (
	"fmt"
	"time"
)

// Verdict is what the strict policy makes of a link.
type Verdict string

const (
	Alive     Verdict = "alive"     // answered 2xx, directly or through redirects
	Dead      Verdict = "dead"      // a hard failure: 404, 410, NXDOMAIN, soft 404, …
	Failing   Verdict = "failing"   // a transient failure that lasted the whole budget
	Throttled Verdict = "throttled" // 429, or asked to come back after the budget
	Blocked   Verdict = "blocked"   // refused us (401/403, robots.txt, private address)
	Excluded  Verdict = "excluded"  // not checked: excluded scheme, host or defanged
)

// Broken is true for the verdicts that fail a CI run.
func (v Verdict) Broken() bool { return v == Dead || v == Failing }

// Place is where a link is used: a document and a 1-based line and column.
// File is "" for a URL given on the command line.
type Place struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

func (p Place) String() string {
	if p.File == "" {
		return "command line"
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Link is one checked URL and its verdict.
type Link struct {
	URL      string  `json:"url"`
	Verdict  Verdict `json:"verdict"`
	Class    string  `json:"class,omitempty"`  // the crawler's class of the last check
	Status   int     `json:"status,omitempty"` // HTTP status of the last check; 0 when none
	FinalURL string  `json:"final_url,omitempty"`
	Error    string  `json:"error,omitempty"`
	// Reason says in one line why the verdict is what it is.
	Reason   string   `json:"reason,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
	Checks   int      `json:"checks"` // how many times it was checked (retries included)
	// RetryAfter is the wait the server asked for, when it asked.
	RetryAfter time.Duration `json:"retry_after_ns,omitempty"`
	Where      []Place       `json:"where"`
	Duration   time.Duration `json:"duration_ns"` // from its first check to its verdict
}

// Summary counts the verdicts of a run.
type Summary struct {
	Documents int `json:"documents"`
	Links     int `json:"links"`
	Alive     int `json:"alive"`
	Dead      int `json:"dead"`
	Failing   int `json:"failing"`
	Throttled int `json:"throttled"`
	Blocked   int `json:"blocked"`
	Excluded  int `json:"excluded"`
	Private   int `json:"private"` // blocked as private addresses
	Broken    int `json:"broken"`  // dead + failing
	// NetworkDown: most hosts failed before any HTTP answer, so this
	// machine's network, not the links, is the likely cause.
	NetworkDown bool          `json:"network_down"`
	Budget      time.Duration `json:"budget_ns"`
	Duration    time.Duration `json:"duration_ns"`
	// Hints are advice for the person reading, e.g. --allow-private when
	// most links were refused as private addresses.
	Hints []string `json:"hints,omitempty"`
}

// Report is the outcome of Run: every link, broken ones first, and the
// counts.
type Report struct {
	Started time.Time `json:"started"`
	Links   []Link    `json:"links"`
	Summary Summary   `json:"summary"`
}

// Broken is true when at least one link is dead or failing.
func (r *Report) Broken() bool { return r.Summary.Broken > 0 }

// MostlyPrivate is true when at least half the links were refused as
// private or loopback addresses: a CI job checking its own site needs
// --allow-private, and a green run would be a false one.
func (r *Report) MostlyPrivate() bool { return r.Summary.mostlyPrivate() }
