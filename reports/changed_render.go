package reports

import (
	"fmt"
	"strings"
)

// verdict is a Changed link's verdict in words.
func (c Changed) verdict() string {
	if c.Replaced {
		v := "replaced (" + c.ReplacedReason + ")"
		if c.Evidence != "" {
			v += ": " + c.Evidence
		}
		return v
	}
	if c.Similarity != nil {
		return fmt.Sprintf("drifted: similarity %.2f to the cited copy", *c.Similarity)
	}
	return "drifted"
}

// textChanged writes "Changed since cited" for a terminal; p makes every
// string argument terminal-safe.
func textChanged(p func(string, ...any), list []Changed) {
	if len(list) == 0 {
		return
	}
	p("\nChanged since cited (%d)\n", len(list))
	for _, c := range list {
		p("  %s\n    %s\n", c.URL, c.verdict())
		if ref := c.ReferenceCopy; ref != nil {
			p("    cited copy from %s: %s\n", whenT(ref.CapturedAt), ref.RestoreCommand)
		}
		for _, o := range c.Occurrences {
			p("    used in %s (%s)\n", o.place(), o.Role)
		}
		if len(c.Removed) > 0 {
			p("    removed from the cited copy (%d words):\n", c.RemovedWords)
			for _, s := range c.Removed {
				p("      - %s\n", s)
			}
			if c.MoreRemoved > 0 {
				p("      ... and %d more\n", c.MoreRemoved)
			}
		}
	}
}

// mdChanged writes "Changed since cited" as a Markdown table.
func mdChanged(p func(string, ...any), list []Changed) {
	p("\n## Changed since cited (%d)\n\n", len(list))
	if len(list) == 0 {
		p("None.\n")
		return
	}
	p("| URL | Verdict | Cited copy | Removed from the cited copy | Used in |\n|---|---|---|---|---|\n")
	for _, c := range list {
		ref := "none"
		if c.ReferenceCopy != nil {
			ref = whenT(c.ReferenceCopy.CapturedAt) + " " + mdCode(c.ReferenceCopy.RestoreCommand)
		}
		removed := "—"
		if len(c.Removed) > 0 {
			items := make([]string, len(c.Removed))
			for i, s := range c.Removed {
				items[i] = "“" + mdText(s) + "”"
			}
			removed = strings.Join(items, "<br>")
			if c.MoreRemoved > 0 {
				removed += fmt.Sprintf("<br>and %d more", c.MoreRemoved)
			}
			removed += fmt.Sprintf(" (%d words)", c.RemovedWords)
		}
		p("| %s | %s | %s | %s | %s |\n", mdURL(c.URL), mdText(c.verdict()), ref, removed, mdPlaces(c.Occurrences))
	}
}
