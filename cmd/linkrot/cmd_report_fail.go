package main

import (
	"fmt"

	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/reports"
)

func describeScope(s reports.Scope) string {
	if s.Kind == "since" {
		return fmt.Sprintf("runs %d to %d", s.FirstRun, s.LastRun)
	}
	return fmt.Sprintf("run %d", s.LastRun)
}

// failOnHint is for CI users: a 404 is suspect, not dead, until
// dead_after's failures and span have passed (3 checks over 72 h by
// default), so --fail-on dead passes on a fresh break. When it would pass
// with suspects in the report, say what to use instead.
func failOnHint(level string, s reports.Summary) string {
	if level != "dead" || s.Dead > 0 || s.Suspect == 0 {
		return ""
	}
	return fmt.Sprintf("hint: --fail-on dead passed, but %d links are suspect: a link is dead only after "+
		"dead_after.failures checks over dead_after.min_span (3 over 72h by default). In CI, use "+
		"`linkrot check --once PATH` (404/410/NXDOMAIN are dead at once), or --fail-on suspect, or lower "+
		"dead_after.failures and dead_after.min_span", s.Suspect)
}

// failOn turns --fail-on into job.ErrBrokenLinks when the report has
// links at or above level; main's exit code switch makes it exitBroken.
func failOn(level string, s reports.Summary) error {
	n, what := 0, ""
	switch level {
	case "dead":
		n, what = s.Dead, "dead"
	case "suspect":
		n, what = s.Dead+s.Suspect, "dead or suspect"
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d %s links (--fail-on %s)", job.ErrBrokenLinks, n, what, level)
}
