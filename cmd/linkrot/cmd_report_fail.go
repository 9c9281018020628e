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
