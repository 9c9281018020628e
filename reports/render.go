package reports

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/linkrot/linkrot/config"
)

// Formats are the formats Render writes: the values config.yaml's
// reports.formats accepts.
var Formats = config.ReportFormats

// exts maps each format to the extension of its files.
var exts = map[string]string{"text": "txt", "md": "md", "html": "html", "json": "json", "csv": "csv"}

// Ext returns the file extension (without the dot) of format's files, ""
// for an unknown format.
func Ext(format string) string { return exts[format] }

// FormatOf returns the format a file name's extension stands for, and
// false when it stands for none.
func FormatOf(name string) (string, bool) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	for f, e := range exts {
		if e == ext || (f == "md" && ext == "markdown") || (f == "html" && ext == "htm") {
			return f, true
		}
	}
	return "", false
}

// Render writes r to w in format, one of Formats. URLs from outside
// linkrot that are not safe to pass on are dropped first (passOn).
func Render(w io.Writer, format string, r Report) error {
	var err error
	r = passOn(r)
	switch format {
	case "text":
		err = renderText(w, r)
	case "md":
		err = renderMarkdown(w, r)
	case "html":
		err = renderHTML(w, r)
	case "json":
		err = renderJSON(w, r)
	case "csv":
		err = renderCSV(w, r)
	default:
		return fmt.Errorf("report format %q: want one of %s", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return fmt.Errorf("rendering the %s report: %w", format, err)
	}
	return nil
}

// Helpers the human-readable formats share.

// title is the report's heading.
func (r Report) title() string {
	switch {
	case r.Selection.Kind == "since" && r.Selection.Since != nil:
		s := "linkrot report since " + day(*r.Selection.Since)
		if r.Selection.LastRun != 0 {
			s += fmt.Sprintf(" (runs %d to %d)", r.Selection.FirstRun, r.Selection.LastRun)
		}
		return s
	default:
		return fmt.Sprintf("linkrot report: run %d", r.Selection.LastRun)
	}
}

// when is a time for people: to the minute, UTC said so, "" for none.
func when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func whenT(t time.Time) string { return when(&t) }

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// duration rounds a run's length for people.
func duration(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	switch {
	case d >= time.Minute:
		return d.Round(time.Second).String()
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Millisecond).String()
	}
}

// statusText is a check's outcome in a few words: "http_4xx 404".
func statusText(class string, status int) string {
	if status > 0 {
		return fmt.Sprintf("%s %d", class, status)
	}
	return class
}

// counts renders a map of counts as "a 1, b 2" in a fixed order: the
// given names first (the states in their usual order), then the rest
// alphabetically.
func counts(m map[string]int, order ...string) string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range order {
		if n, ok := m[k]; ok && n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
		seen[k] = true
	}
	var rest []string
	for k := range m {
		if !seen[k] && m[k] > 0 {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// stateOrder is the order states are listed in summaries.
var stateOrder = []string{"alive", "moved", "suspect", "dead", "blocked", "excluded", "unchecked"}

// place is "path:line:column".
func (p Place) place() string { return fmt.Sprintf("%s:%d:%d", p.Document, p.Line, p.Column) }

// failing says for how long and how often a link has failed.
func (e Entry) failing() string {
	if e.Failures == 0 || e.FirstFailure == nil {
		return ""
	}
	s := "s"
	if e.Failures == 1 {
		s = ""
	}
	return fmt.Sprintf("failing since %s (%d failure%s)", when(e.FirstFailure), e.Failures, s)
}

// plural is "1 link", "2 links".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
