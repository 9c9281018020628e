package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/linkrot/linkrot/internal/safeurl"
)

// renderMarkdown writes the whole report as GitHub-flavoured Markdown:
// every list as a table, then the links by document and the failing
// hosts. Text from documents and from the web is escaped, so a URL or a
// title cannot break the table it sits in.
func renderMarkdown(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	s := r.Summary
	p("# %s\n\n", mdText(r.title()))
	if note := statusNote(s.Status); note != "" {
		p("> **Note:** %s\n\n", mdText(note))
	}
	p("| | |\n|---|---|\n")
	p("| Status | %s |\n", mdText(s.Status))
	if s.StartedAt != nil {
		p("| Started | %s |\n| Duration | %s |\n", when(s.StartedAt), duration(s.DurationSeconds))
	}
	p("| Report made | %s |\n", whenT(r.GeneratedAt))
	p("| Checks | %s of %s |\n", plural(s.Checks, "check"), plural(s.LinksChecked, "link"))
	p("| By state | %s |\n", mdText(counts(s.ByState, stateOrder...)))
	p("| By class | %s |\n", mdText(counts(s.ByClass, "ok", "redirect")))
	p("| Dead | %d (%d newly dead, %d still dead) |\n", s.Dead, s.NewlyDead, s.StillDead)
	p("| Recovered | %d |\n| Moved | %d |\n| Suspect | %d |\n| Blocked | %d |\n| Repaired URLs | %d |\n",
		s.Recovered, s.Moved, s.Suspect, s.Blocked, s.Repaired)

	deadTable := func(name string, list []Entry) {
		p("\n## %s (%d)\n\n", name, len(list))
		if len(list) == 0 {
			p("None.\n")
			return
		}
		p("| URL | Last check | Failing since | Failures | Used in | Copies |\n|---|---|---|---|---|---|\n")
		for _, e := range list {
			p("| %s | %s | %s | %d | %s | %s |\n", mdURL(e.URL), mdText(statusText(e.Class, e.Status)),
				when(e.FirstFailure), e.Failures, mdPlaces(e.Occurrences), mdCopies(e))
		}
	}
	deadTable("Newly dead", r.NewlyDead)
	deadTable("Still dead", r.StillDead)

	p("\n## Recovered (%d)\n\n", len(r.Recovered))
	if len(r.Recovered) == 0 {
		p("None.\n")
	} else {
		p("| URL | Now | Last check | Used in |\n|---|---|---|---|\n")
		for _, e := range r.Recovered {
			p("| %s | %s | %s | %s |\n", mdURL(e.URL), mdText(string(e.State)), mdText(statusText(e.Class, e.Status)), mdPlaces(e.Occurrences))
		}
	}

	p("\n## Moved (%d)\n\n", len(r.Moved))
	if len(r.Moved) == 0 {
		p("None.\n")
	} else {
		p("| URL | Moved to | Used in |\n|---|---|---|\n")
		for _, e := range r.Moved {
			p("| %s | %s | %s |\n", mdURL(e.URL), mdURL(e.MovedTo), mdPlaces(e.Occurrences))
		}
	}

	p("\n## Suspect (%d)\n\n", len(r.Suspect))
	if len(r.Suspect) == 0 {
		p("None.\n")
	} else {
		p("| URL | Last check | First failure | Failures | Used in | Copies |\n|---|---|---|---|---|---|\n")
		for _, e := range r.Suspect {
			p("| %s | %s | %s | %d | %s | %s |\n", mdURL(e.URL), mdText(statusText(e.Class, e.Status)),
				when(e.FirstFailure), e.Failures, mdPlaces(e.Occurrences), mdCopies(e))
		}
	}

	p("\n## Blocked (%d)\n\n", len(r.Blocked))
	if len(r.Blocked) == 0 {
		p("None.\n")
	} else {
		p("The site refuses the checker, so whether these work cannot be known; they are never reported dead.\n\n")
		p("| URL | Last check | Used in |\n|---|---|---|\n")
		for _, e := range r.Blocked {
			p("| %s | %s | %s |\n", mdURL(e.URL), mdText(statusText(e.Class, e.Status)), mdPlaces(e.Occurrences))
		}
	}

	p("\n## Repaired URLs (%d)\n\n", len(r.Repaired))
	if len(r.Repaired) == 0 {
		p("None.\n")
	} else {
		p("| Place | Raw text | URL | Confidence | Verified | Evidence | State |\n|---|---|---|---|---|---|---|\n")
		for _, rp := range r.Repaired {
			verified := "no"
			if rp.Verified {
				verified = "on the web, " + when(rp.VerifiedAt)
			}
			evidence := append(append([]string{}, rp.Repairs...), rp.Reasons...)
			if len(rp.Alternatives) > 0 {
				evidence = append(evidence, "alternatives: "+strings.Join(rp.Alternatives, ", "))
			}
			if rp.ExtractedURL != "" {
				evidence = append(evidence, "extracted as "+rp.ExtractedURL)
			}
			p("| %s | %s | %s | %.2f | %s | %s | %s |\n",
				mdText(fmt.Sprintf("%s:%d:%d", rp.Document, rp.Line, rp.Column)), mdCode(rp.Raw), mdURL(rp.URL),
				rp.Confidence, mdText(verified), mdJoin(evidence), mdText(string(rp.State)))
		}
	}

	p("\n## By document (%d)\n", len(r.Documents))
	for _, d := range r.Documents {
		p("\n### %s\n\n", mdText(d.Path))
		if d.Title != "" {
			p("*%s*\n\n", mdText(d.Title))
		}
		for _, l := range d.Links {
			state := l.State
			if l.NewlyDead {
				state = "newly dead"
			}
			line := fmt.Sprintf("- line %d, column %d (%s): %s — %s", l.Line, l.Column, mdText(l.Role), mdURL(l.URL), mdText(string(state)))
			if l.MovedTo != "" {
				line += " → " + mdURL(l.MovedTo)
			}
			p("%s\n", line)
		}
	}

	p("\n## Hosts failing most (%d)\n\n", len(r.Hosts))
	if len(r.Hosts) == 0 {
		p("None.\n")
	} else {
		p("| Host | Dead | Suspect | Blocked | Failed checks | Links checked |\n|---|---|---|---|---|---|\n")
		for _, h := range r.Hosts {
			p("| %s | %d | %d | %d | %d | %d |\n", mdText(h.Host), h.Dead, h.Suspect, h.Blocked, h.Failed, h.Checked)
		}
	}
	mdChanged(p, r.ChangedSinceCited)
	return bw.Flush()
}

// mdEscaper escapes what Markdown would read as markup, and the table
// cell separator; line breaks become spaces so a cell stays on its row.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `&lt;`, ">", `&gt;`, "|", `\|`, "#", `\#`, "&", "&amp;",
	"\r\n", " ", "\n", " ", "\r", " ",
)

func mdText(s string) string { return mdEscaper.Replace(s) }

// mdURL is an autolink when the URL is a web URL (safeurl.Web: http or
// https, no spaces or control characters) without angle brackets, else
// plain escaped text, so that a "javascript:" URL is never a link.
// A '|' would end the table cell even inside an autolink, so it is
// percent-encoded, which leaves the URL meaning the same.
func mdURL(u string) string {
	if u == "" {
		return ""
	}
	if !safeurl.Web(u) || strings.ContainsAny(u, "<>") {
		return mdText(u)
	}
	return "<" + strings.ReplaceAll(u, "|", "%7C") + ">"
}

// mdCode is a code span that no backtick in s can end: the fence is one
// backtick longer than the longest run inside.
func mdCode(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", `\|`).Replace(s)
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	return fence + " " + s + " " + fence
}

func mdJoin(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = mdText(s)
	}
	return strings.Join(out, "<br>")
}

func mdPlaces(ps []Place) string {
	if len(ps) == 0 {
		return "(no document uses it now)"
	}
	out := make([]string, len(ps))
	for i, o := range ps {
		out[i] = mdText(fmt.Sprintf("%s (%s)", o.place(), o.Role))
	}
	return strings.Join(out, "<br>")
}

func mdCopies(e Entry) string {
	var out []string
	if sn := e.Snapshot; sn != nil {
		out = append(out, fmt.Sprintf("local copy %s: %s", whenT(sn.CapturedAt), mdCode(sn.RestoreCommand)))
	}
	if ac := e.ArchiveCopy; ac != nil && safeurl.Web(ac.URL) {
		out = append(out, fmt.Sprintf("[archive copy %s](%s)", day(ac.Time), mdLinkDest(ac.URL)))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, "<br>")
}

// mdLinkDest is a link destination in angle brackets, which allows
// parentheses and most characters; the few it does not are encoded.
func mdLinkDest(u string) string {
	return "<" + strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20", "|", "%7C", "\n", "", "\r", "").Replace(u) + ">"
}
