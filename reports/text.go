package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// renderText writes the report for a terminal: the summary, then every
// dead link with the places it is used and its copies, newly dead first,
// then short lists of what recovered, moved or is failing.
func renderText(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) {
		for i, a := range args {
			if s, ok := a.(string); ok {
				args[i] = terminalSafe(s)
			}
		}
		fmt.Fprintf(bw, format, args...)
	}
	s := r.Summary
	p("%s (%s)\n", r.title(), s.Status)
	if s.StartedAt != nil {
		p("  started %s, took %s; report made %s\n", when(s.StartedAt), duration(s.DurationSeconds), whenT(r.GeneratedAt))
	}
	if note := statusNote(s.Status); note != "" {
		p("  note: %s\n", note)
	}
	p("  %s of %s: %s\n", plural(s.Checks, "check"), plural(s.LinksChecked, "link"), counts(s.ByState, stateOrder...))
	p("  classes: %s\n", counts(s.ByClass, "ok", "redirect"))
	p("  dead %d (%d newly), recovered %d, moved %d, suspect %d, blocked %d, repaired URLs %d\n",
		s.Dead, s.NewlyDead, s.Recovered, s.Moved, s.Suspect, s.Blocked, s.Repaired)

	deadList := func(name string, list []Entry) {
		if len(list) == 0 {
			return
		}
		p("\n%s (%d)\n", name, len(list))
		for _, e := range list {
			p("  %s\n", e.URL)
			line := statusText(e.Class, e.Status)
			if f := e.failing(); f != "" {
				line += "; " + f
			}
			p("    %s\n", line)
			for _, o := range e.Occurrences {
				p("    used in %s (%s)\n", o.place(), o.Role)
			}
			if len(e.Occurrences) == 0 {
				p("    no document uses it any more\n")
			}
			if e.MovedTo != "" {
				p("    last seen moved to %s\n", e.MovedTo)
			}
			if sn := e.Snapshot; sn != nil {
				p("    local copy from %s: %s\n", whenT(sn.CapturedAt), sn.RestoreCommand)
			}
			if ac := e.ArchiveCopy; ac != nil {
				p("    public archive copy from %s: %s\n", day(ac.Time), ac.URL)
			}
		}
	}
	deadList("Newly dead", r.NewlyDead)
	deadList("Still dead", r.StillDead)
	if len(r.Recovered) > 0 {
		p("\nRecovered (%d)\n", len(r.Recovered))
		for _, e := range r.Recovered {
			p("  %s (now %s)\n", e.URL, e.State)
		}
	}
	if len(r.Moved) > 0 {
		p("\nMoved (%d)\n", len(r.Moved))
		for _, e := range r.Moved {
			p("  %s\n    -> %s\n", e.URL, e.MovedTo)
		}
	}
	if len(r.Suspect) > 0 {
		p("\nSuspect (%d)\n", len(r.Suspect))
		for _, e := range r.Suspect {
			p("  %s  %s; %s\n", e.URL, statusText(e.Class, e.Status), e.failing())
		}
	}
	if len(r.Hosts) > 0 {
		p("\nHosts failing most\n")
		for i, h := range r.Hosts {
			if i == 10 {
				p("  ... and %d more hosts\n", len(r.Hosts)-10)
				break
			}
			line := fmt.Sprintf("  %s: %d dead, %d suspect, %d blocked", h.Host, h.Dead, h.Suspect, h.Blocked)
			if h.Checked > 0 {
				line += fmt.Sprintf("; %d of %d links checked failed", h.Failed, h.Checked)
			}
			p("%s\n", line)
		}
	}
	textChanged(p, r.ChangedSinceCited)
	return bw.Flush()
}

// statusNote explains a run status that is not a plain success.
func statusNote(status string) string {
	switch status {
	case "network_down":
		return "most hosts failed at the network level: the checker's own outage, so this run changed no link state"
	case "interrupted":
		return "the run was interrupted; links it did not reach are checked by the next run"
	case "failed":
		return "the run failed before it finished"
	case "running":
		return "the run is still going; this report is partial"
	case "none":
		return "no run in this period; the lists show the links as they are now"
	}
	return ""
}

// terminalSafe shows control characters (an escape sequence in a document
// path, an error text from a server) as \x.. escapes instead of sending
// them to the terminal, where they could move the cursor or recolour the
// screen.
func terminalSafe(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			fmt.Fprintf(&b, "\\x%02x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
