package oneshot

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// Formats Write knows.
var Formats = []string{"text", "md", "json", "junit"}

// ParseFormat checks a --format value.
func ParseFormat(s string) (string, error) {
	for _, f := range Formats {
		if s == f {
			return s, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (use %s)", s, strings.Join(Formats, ", "))
}

// lineOf is the one line a broken link gets, in the stream and in the text
// report: verdict, class or status, URL, then every place it is used.
func lineOf(l Link) string {
	s := fmt.Sprintf("%-9s %-12s %s", strings.ToUpper(string(l.Verdict)), l.what(), l.URL)
	if l.Reason != "" {
		s += " (" + l.Reason + ")"
	}
	return s + " in " + places(l.Where)
}

// what is the status when the status is the finding (a 404, a 503),
// otherwise the class (a soft 404 answers 200, a drip times out after it).
func (l Link) what() string {
	switch l.Class {
	case "http_4xx", "http_5xx", "blocked", "ok", "redirect", "":
		if l.Status > 0 {
			return fmt.Sprintf("%d", l.Status)
		}
	}
	return l.Class
}

func places(ps []Place) string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.String())
	}
	if len(out) == 0 {
		return "-"
	}
	return strings.Join(out, ", ")
}

// Write renders the report in format: text, md, json or junit.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "", "text":
		return r.writeText(w)
	case "md":
		return r.writeMarkdown(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "junit":
		return r.writeJUnit(w)
	}
	_, err := ParseFormat(format)
	return err
}

// SummaryLine is the one-line outcome, e.g. for the end of a stream.
func (r *Report) SummaryLine() string {
	s := r.Summary
	return fmt.Sprintf("%d links in %d documents checked in %s: %d broken (%d dead, %d failing), %d throttled, %d blocked, %d excluded, %d alive",
		s.Links, s.Documents, s.Duration.Round(time.Millisecond), s.Broken, s.Dead, s.Failing, s.Throttled, s.Blocked, s.Excluded, s.Alive)
}

func (r *Report) writeText(w io.Writer) error {
	var b strings.Builder
	for _, l := range r.Links {
		if l.Verdict == Alive || l.Verdict == Excluded {
			continue
		}
		b.WriteString(lineOf(l) + "\n")
	}
	b.WriteString(r.SummaryLine() + "\n")
	for _, h := range r.Summary.Hints {
		b.WriteString("hint: " + h + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	s := r.Summary
	b.WriteString("# Link check\n\n")
	fmt.Fprintf(&b, "%d links in %d documents: **%d broken** (%d dead, %d failing), %d throttled, %d blocked, %d excluded, %d alive. Retry budget %s.\n\n",
		s.Links, s.Documents, s.Broken, s.Dead, s.Failing, s.Throttled, s.Blocked, s.Excluded, s.Alive, s.Budget)
	for _, h := range s.Hints {
		b.WriteString("> " + h + "\n\n")
	}
	var rows []Link
	for _, l := range r.Links {
		if l.Verdict != Alive && l.Verdict != Excluded {
			rows = append(rows, l)
		}
	}
	if len(rows) == 0 {
		b.WriteString("Nothing broken.\n")
	} else {
		b.WriteString("| Verdict | Status | URL | Reason | Used in |\n|---|---|---|---|---|\n")
		for _, l := range rows {
			fmt.Fprintf(&b, "| %s | %s | <%s> | %s | %s |\n", l.Verdict, mdCell(l.what()), l.URL, mdCell(l.Reason), mdCell(places(l.Where)))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCell keeps a value from breaking its table row.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

// JUnit XML, the subset CI test reporters read: one testsuite, one
// testcase per link, a failure for each broken one and a skipped element
// for links that could not be judged.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func (r *Report) writeJUnit(w io.Writer) error {
	suite := junitSuite{
		Name: "linkrot", Tests: len(r.Links), Failures: r.Summary.Broken,
		Time: secs(r.Summary.Duration), Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
	}
	for _, l := range r.Links {
		tc := junitCase{Name: l.URL, Classname: "links", Time: secs(l.Duration)}
		if len(l.Where) > 0 && l.Where[0].File != "" {
			tc.Classname = l.Where[0].File
		}
		detail := lineOf(l)
		if len(l.Evidence) > 0 {
			detail += "\n" + strings.Join(l.Evidence, "\n")
		}
		switch {
		case l.Verdict.Broken():
			msg := l.Reason
			if msg == "" {
				msg = l.Class
			}
			tc.Failure = &junitFailure{Message: string(l.Verdict) + ": " + msg, Type: l.Class, Text: detail}
		case l.Verdict == Throttled, l.Verdict == Blocked, l.Verdict == Excluded:
			suite.Skipped++
			tc.Skipped = &junitSkipped{Message: string(l.Verdict) + ": " + l.Reason}
		default:
			tc.SystemOut = "alive: " + places(l.Where)
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "linkrot check --once", Tests: suite.Tests, Failures: suite.Failures,
		Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func secs(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
