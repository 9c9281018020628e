package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// reportCatalog fills the test environment's catalog with two finished
// runs, recorded as the job records them: in the first, one link fails
// for the first time (suspect) and one is fine; in the second, the
// failing link fails again and is dead.
func reportCatalog(t *testing.T, e *testEnv) (dead, suspectURL string, runs []int64) {
	t.Helper()
	ctx := context.Background()
	cfg, err := e.g.loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(ctx, cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dead, suspectURL, fine := "https://gone.example/page?a=1&b=2", "https://flaky.example/x", "https://fine.example/"
	doc := e.write(t, "docs/notes.md", "# Notes\n\nsee "+dead+"\n\nand "+fine+" and "+suspectURL+"\n")
	occ := func(url string, line, col int) store.Occurrence {
		return store.Occurrence{URL: url, Raw: url, Line: line, Column: col, Role: store.RoleCited, Confidence: 1}
	}
	t0 := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	if _, err := st.SaveDocument(ctx, store.Document{Path: doc, Title: "Notes", ScannedAt: t0},
		[]store.Occurrence{occ(dead, 3, 5), occ(fine, 5, 5), occ(suspectURL, 5, 32)}); err != nil {
		t.Fatal(err)
	}
	step := func(run int64, at time.Time, url, class string, status int, st2 store.LinkStatus) {
		t.Helper()
		if _, err := st.RecordCheck(ctx, store.CheckRecord{URL: url, RunID: run, CheckedAt: at, Class: class, Status: status},
			&st2, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	for i, at := range []time.Time{t0, t0.Add(25 * time.Hour)} {
		run, err := st.BeginRun(ctx, at, "check")
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			step(run, at, dead, "http_4xx", 404, store.LinkStatus{State: "suspect", ConsecutiveFailures: 1, FirstFailure: t0})
			step(run, at, fine, "ok", 200, store.LinkStatus{State: "alive", LastSuccess: at})
		} else {
			step(run, at, dead, "http_4xx", 404, store.LinkStatus{State: "dead", ConsecutiveFailures: 2, FirstFailure: t0})
			step(run, at, suspectURL, "timeout", 0, store.LinkStatus{State: "suspect", ConsecutiveFailures: 1, FirstFailure: at})
		}
		if err := st.FinishRun(ctx, run, at.Add(time.Minute), store.RunOK, &store.RunSummary{Checked: 2}); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
	}
	return dead, suspectURL, runs
}

func TestReportCommand(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	if err := runReport(ctx, reportOptions{}, e.g); err == nil || !strings.Contains(err.Error(), "linkrot check") || exitCode(err) != exitError {
		t.Errorf("report of an empty catalog: %v", err)
	}
	dead, suspectURL, runs := reportCatalog(t, e)

	// The default: the latest run, as text, exit 0 with --fail-on never.
	if err := runReport(ctx, reportOptions{failOn: "never"}, e.g); err != nil {
		t.Fatal(err)
	}
	out := e.stdout.String()
	for _, want := range []string{"run 2 (ok)", "Newly dead (1)\n  " + dead, "notes.md:3:5 (cited)", "Suspect (1)\n  " + suspectURL} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}

	// --run 1 as JSON: nothing dead then.
	e.stdout.Reset()
	if err := runReport(ctx, reportOptions{run: runs[0], format: "json", failOn: "dead"}, e.g); err != nil {
		t.Fatalf("run 1 has no dead link, so --fail-on dead exits 0: %v", err)
	}
	var r struct {
		Schema    string `json:"schema"`
		NewlyDead []any  `json:"newly_dead"`
		Suspect   []struct {
			URL string `json:"url"`
		} `json:"suspect"`
	}
	if err := json.Unmarshal(e.stdout.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Schema != "linkrot.report/v1" || len(r.NewlyDead) != 0 || len(r.Suspect) != 1 || r.Suspect[0].URL != dead {
		t.Errorf("run 1 JSON: %+v", r)
	}

	// --fail-on: 2 when links are at or above the level.
	for _, tc := range []struct {
		opts reportOptions
		code int
	}{
		{reportOptions{failOn: "dead"}, exitBroken},
		{reportOptions{failOn: "suspect"}, exitBroken},
		{reportOptions{failOn: "never"}, exitOK},
		{reportOptions{run: runs[0], failOn: "suspect"}, exitBroken},
		{reportOptions{run: runs[0], failOn: "dead"}, exitOK},
		{reportOptions{run: 99, failOn: "dead"}, exitError},
		{reportOptions{failOn: "sometimes"}, exitError},
		{reportOptions{format: "pdf", failOn: "never"}, exitError},
		{reportOptions{run: 1, since: "2026-01-01", failOn: "never"}, exitError},
		{reportOptions{since: "last week", failOn: "never"}, exitError},
	} {
		e.stdout.Reset()
		err := runReport(ctx, tc.opts, e.g)
		if got := exitCode(err); got != tc.code {
			t.Errorf("%+v: exit %d (%v), want %d", tc.opts, got, err, tc.code)
		}
	}
	// Run 1 has a 404 that is only suspect: --fail-on dead passes, and
	// says why and what CI should use.
	e.stderr.Reset()
	if err := runReport(ctx, reportOptions{run: runs[0], failOn: "dead", format: "json"}, e.g); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"hint: --fail-on dead passed, but 1 links are suspect", "linkrot check --once", "dead_after.failures"} {
		if !strings.Contains(e.stderr.String(), want) {
			t.Errorf("no CI hint %q on stderr:\n%s", want, e.stderr)
		}
	}
	e.stderr.Reset()
	if err := runReport(ctx, reportOptions{run: runs[0], failOn: "suspect", format: "json"}, e.g); err == nil || strings.Contains(e.stderr.String(), "hint:") {
		t.Errorf("--fail-on suspect: %v, hint %q", err, e.stderr)
	}
	err := runReport(ctx, reportOptions{failOn: "suspect"}, e.g)
	if err == nil || err.Error() != "broken links found: 2 dead or suspect links (--fail-on suspect)" {
		t.Errorf("--fail-on message: %v", err)
	}
	if exitCode(err) != 2 {
		t.Errorf("--fail-on error is not exit code 2: %#v", err)
	}

	// -o picks the format from the file name; the report goes to the file.
	e.stdout.Reset()
	html := filepath.Join(e.dir, "out", "report.html")
	if err := os.MkdirAll(filepath.Dir(html), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := runReport(ctx, reportOptions{output: html, failOn: "never"}, e.g); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(html)
	if err != nil || !strings.HasPrefix(string(b), "<!DOCTYPE html>") || !strings.Contains(string(b), "Newly dead (1)") {
		t.Errorf("HTML report file: %v\n%.200s", err, b)
	}
	if e.stdout.Len() != 0 {
		t.Errorf("with -o, stdout got %q", e.stdout)
	}
	// --since covers both runs.
	e.stdout.Reset()
	if err := runReport(ctx, reportOptions{since: "2026-02-28", format: "csv", failOn: "never"}, e.g); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(e.stdout.String()), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], dead+",dead,http_4xx,404,") {
		t.Errorf("CSV since 2026-02-28:\n%s", e.stdout)
	}
}

func TestReportRegistered(t *testing.T) {
	e := newTestEnv(t)
	root := newRootCmd(e.g)
	root.SetArgs([]string{"--config", e.g.configPath, "report", "--help"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.stdout.String(), "--fail-on") {
		t.Errorf("report --help: %s", e.stdout)
	}
}
