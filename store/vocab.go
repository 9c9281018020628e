package store

import (
	"encoding/json"
	"strings"
	"time"
)

// LinkState is a link's state name (DESIGN.md, "Link states"). The names
// are what the catalog keeps; never rename one, only add.
type LinkState string

// The link states. The crawler's state machine sets all but unchecked.
const (
	StateUnchecked LinkState = "unchecked"
	StateAlive     LinkState = "alive"
	StateMoved     LinkState = "moved"
	StateSuspect   LinkState = "suspect"
	StateDead      LinkState = "dead"
	StateBlocked   LinkState = "blocked"
	StateExcluded  LinkState = "excluded"
)

// LinkStates are the known states, worst first: the order pages and
// reports list them in.
var LinkStates = []LinkState{StateDead, StateSuspect, StateMoved, StateBlocked, StateAlive, StateUnchecked, StateExcluded}

// Known reports whether s is one of LinkStates.
func (s LinkState) Known() bool {
	for _, k := range LinkStates {
		if s == k {
			return true
		}
	}
	return false
}

// LinkStatus is what the catalog keeps per link between checks: enough for
// the crawler's state machine to apply the dead rule without reading the
// link's history.
type LinkStatus struct {
	State LinkState // "" is read as unchecked
	// ConsecutiveFailures counts failing checks since the last success;
	// FirstFailure is when the first of them happened (zero when none).
	ConsecutiveFailures int
	FirstFailure        time.Time
	LastSuccess         time.Time // zero = never
	// MovedTo is the permanent redirect target of the last success that
	// went through one. It is kept while the link fails (where it went is
	// the best repair for a dead link) and cleared by a direct success.
	MovedTo string
}

// Hop is one redirect response on the way to a check's final URL.
type Hop struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
}

// RunStatus says how a run ended (Run.Status).
type RunStatus string

// Run statuses.
const (
	RunRunning     RunStatus = "running"
	RunOK          RunStatus = "ok"
	RunNetworkDown RunStatus = "network_down" // finished, but its checks were the checker's own outage
	RunInterrupted RunStatus = "interrupted"
	RunFailed      RunStatus = "failed"
)

// RunSummary is what a run did. The catalog keeps it as JSON with the run
// and gives it back as this struct.
type RunSummary struct {
	RunID       int64     `json:"run_id,omitempty"`
	Status      RunStatus `json:"status,omitempty"`
	Checked     int       `json:"checked"`
	Alive       int       `json:"alive"`
	Moved       int       `json:"moved"`
	Suspect     int       `json:"suspect"`
	Dead        int       `json:"dead"`
	NewlyDead   int       `json:"newly_dead"`
	Recovered   int       `json:"recovered"`
	Blocked     int       `json:"blocked"`
	Excluded    int       `json:"excluded"`
	NetworkDown int       `json:"network_down"`
	// Deferred counts checks put off because the site asked for a pause
	// longer than crawler.max_retry_wait (state unchanged);
	// DeferredReasons are the first few, "URL: reason".
	Deferred        int      `json:"deferred"`
	DeferredReasons []string `json:"deferred_reasons,omitempty"`
	// PrivateAddress counts links refused because they resolve to a
	// private or loopback address (network.allow_private is off).
	PrivateAddress int `json:"private_address"`
	Verified       int `json:"repairs_verified"`
	Captured       int `json:"snapshots_captured"`
	Unchanged      int `json:"snapshots_unchanged"`
	CaptureErrs    int `json:"snapshot_errors"`
	// Content verdicts (issue 15): pages judged, and of them drifted or
	// replaced.
	Judged   int `json:"content_judged,omitempty"`
	Drifted  int `json:"drifted,omitempty"`
	Replaced int `json:"replaced,omitempty"`
	// Public-archive lookups made after the checks (cached ones are not
	// counted) and how many found a copy.
	Lookups    int           `json:"lookups,omitempty"`
	LookupsHit int           `json:"lookups_found,omitempty"`
	Duration   time.Duration `json:"duration_ns"`
	ChecksPerS float64       `json:"checks_per_second"`
	// Totals are the catalog's links by state when the run finished, so
	// that a plot over runs shows how many links are dead, not only how
	// many this run checked. Nil for runs recorded before totals were kept.
	Totals map[LinkState]int `json:"totals,omitempty"`
}

// UnmarshalJSON reads a summary, including those stored before it was a
// struct, whose totals were flat "total_<state>" keys.
func (s *RunSummary) UnmarshalJSON(b []byte) error {
	type plain RunSummary
	if err := json.Unmarshal(b, (*plain)(s)); err != nil {
		return err
	}
	if s.Totals != nil {
		return nil
	}
	var flat map[string]json.RawMessage
	if err := json.Unmarshal(b, &flat); err != nil {
		return err
	}
	for k, v := range flat {
		st, ok := strings.CutPrefix(k, "total_")
		if !ok {
			continue
		}
		var n int
		if err := json.Unmarshal(v, &n); err != nil {
			return err
		}
		if s.Totals == nil {
			s.Totals = map[LinkState]int{}
		}
		s.Totals[LinkState(st)] = n
	}
	return nil
}

// Counters flattens the summary into named counts, the form reports and
// metrics show ("checked", "dead", "total_dead", ...). Nil gives an empty
// map.
func (s *RunSummary) Counters() map[string]int {
	m := map[string]int{}
	if s == nil {
		return m
	}
	for k, v := range map[string]int{
		"checked": s.Checked, "alive": s.Alive, "moved": s.Moved, "suspect": s.Suspect,
		"dead": s.Dead, "newly_dead": s.NewlyDead, "recovered": s.Recovered, "blocked": s.Blocked,
		"excluded": s.Excluded, "network_down": s.NetworkDown, "repairs_verified": s.Verified,
		"snapshots_captured": s.Captured, "snapshots_unchanged": s.Unchanged, "snapshot_errors": s.CaptureErrs,
		"lookups": s.Lookups, "lookups_found": s.LookupsHit,
	} {
		m[k] = v
	}
	for st, n := range s.Totals {
		m["total_"+string(st)] = n
	}
	return m
}
