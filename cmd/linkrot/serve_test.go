package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/store"
)

func TestScheduleNext(t *testing.T) {
	// A Wednesday, 10:15:30 UTC; the clock's zone is "local time".
	now := time.Date(2024, 5, 1, 10, 15, 30, 0, time.UTC)
	for _, tc := range []struct{ spec, want string }{
		{"0 3 * * *", `schedule: 0 3 * * * (local time, UTC)
next 3 runs:
  Thu 2024-05-02 03:00:00 UTC  in 16h44m30s
  Fri 2024-05-03 03:00:00 UTC  in 1d16h44m30s
  Sat 2024-05-04 03:00:00 UTC  in 2d16h44m30s
`},
		// Weekdays at 02:30 in Berlin (CEST, UTC+2 in May), shown with
		// local time beside them.
		{"CRON_TZ=Europe/Berlin 30 2 * * 1-5", `schedule: CRON_TZ=Europe/Berlin 30 2 * * 1-5 (time zone Europe/Berlin)
next 3 runs:
  Thu 2024-05-02 02:30:00 CEST  (Thu 2024-05-02 00:30:00 UTC)  in 14h14m30s
  Fri 2024-05-03 02:30:00 CEST  (Fri 2024-05-03 00:30:00 UTC)  in 1d14h14m30s
  Mon 2024-05-06 02:30:00 CEST  (Mon 2024-05-06 00:30:00 UTC)  in 4d14h14m30s
`},
		{"@every 6h", `schedule: @every 6h (local time, UTC)
next 3 runs:
  Wed 2024-05-01 16:15:30 UTC  in 6h
  Wed 2024-05-01 22:15:30 UTC  in 12h
  Thu 2024-05-02 04:15:30 UTC  in 18h
`},
	} {
		e := newTestEnv(t)
		e.write(t, "config.yaml", fmt.Sprintf("data_dir: data\nschedule: %q\n", tc.spec))
		e.g.now = func() time.Time { return now }
		if err := runSchedule(context.Background(), scheduleOptions{next: 3}, e.g); err != nil {
			t.Fatal(err)
		}
		if got := e.stdout.String(); got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.spec, got, tc.want)
		}
	}
	e := newTestEnv(t)
	if err := runSchedule(context.Background(), scheduleOptions{next: 0}, e.g); err == nil {
		t.Error("--next 0 must be refused")
	}
}

// fakewebConfig writes a config.yaml that sends every request to w through
// network.resolve, with the given keys first.
func fakewebConfig(t *testing.T, e *testEnv, w *fakeweb.Web, keys string) {
	t.Helper()
	ca, err := w.CAFile(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%snetwork:\n  allow_private: true\n  resolve_only: true\n  ca_file: %s\n  resolve:\n", keys, ca)
	for _, r := range w.Resolve() {
		fmt.Fprintf(&b, "    - %q\n", r)
	}
	e.write(t, "config.yaml", b.String())
}

func TestRunRescansThenChecks(t *testing.T) {
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	page := "<p>The harbour board voted on Tuesday to replace the old breakwater, which has protected the fishing fleet since 1911.</p>"
	w.Site("news.example").HTML("/one", "One", page).HTML("/two", "Two", page)
	e := newTestEnv(t)
	fakewebConfig(t, e, w, "data_dir: data\nsources: [docs]\ncrawler:\n  retries: 0\n  robots: false\n  per_host_interval: 0s\n"+
		"archive:\n  external:\n    wayback:\n      enabled: false\n    memento:\n      enabled: false\n")
	e.write(t, "docs/a.txt", "Notes\n\nhttps://news.example/one\n")
	ctx := context.Background()
	t0 := time.Date(2024, 5, 1, 3, 0, 0, 0, time.UTC)
	e.g.now = func() time.Time { return t0 }
	if err := runRun(ctx, runOptions{}, e.g); err != nil {
		t.Fatalf("run: %v\n%s", err, e.stderr)
	}
	out := e.stdout.String()
	if !strings.Contains(out, "rescan: 1 documents: 1 added") || !strings.Contains(out, "run 1 ok: 1 checked") {
		t.Fatalf("first run:\n%s", out)
	}
	if !strings.Contains(e.stderr.String(), "report written") {
		t.Errorf("no report:\n%s", e.stderr)
	}

	// A document added between two runs is found and its link checked.
	e.write(t, "docs/b.txt", "More\n\nhttps://news.example/two\n")
	e.g.now = func() time.Time { return t0.Add(24 * time.Hour) }
	e.stdout.Reset()
	if err := runRun(ctx, runOptions{json: true}, e.g); err != nil {
		t.Fatalf("run: %v\n%s", err, e.stderr)
	}
	for _, want := range []string{`"added":1`, `"unchanged":1`, `"run_id":2`, `"checked":1`, `"alive":1`, `"reports":[`} {
		if !strings.Contains(e.stdout.String(), want) {
			t.Errorf("second run lacks %s:\n%s", want, e.stdout)
		}
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(e.dir, "data", "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := st.LinkByURL(ctx, "https://news.example/two")
	if err != nil || l.State != "alive" {
		t.Errorf("new link: %+v, %v", l, err)
	}
	if w.Hits("news.example", "/one") != 1 {
		t.Errorf("the first link was checked again before it was due")
	}
}

func TestServeRefusesPublicAddressWithoutAuth(t *testing.T) {
	for _, tc := range []struct {
		addr string
		auth config.Auth
		ok   bool
	}{
		{"127.0.0.1:8080", config.Auth{}, true},
		{"[::1]:8080", config.Auth{}, true},
		{"localhost:8080", config.Auth{}, true},
		{"0.0.0.0:8080", config.Auth{}, false},
		{":8080", config.Auth{}, false},
		{"[::]:8080", config.Auth{}, false},
		{"192.0.2.7:8080", config.Auth{}, false},
		{"links.example.net:8080", config.Auth{}, false},
		{"0.0.0.0:8080", config.Auth{Token: "s3cret"}, true},
		{"0.0.0.0:8080", config.Auth{User: "me", PasswordHash: "$2y$10$abcdefghijklmnopqrstuuJ8kZ2Y4m6o8q0s2u4w6y8A0C2E4G6I."}, true},
		{"0.0.0.0:8080", config.Auth{User: "me"}, false},
		{"8080", config.Auth{}, false},
	} {
		err := checkListen(tc.addr, tc.auth)
		if (err == nil) != tc.ok {
			t.Errorf("checkListen(%q, %+v) = %v", tc.addr, tc.auth, err)
		}
	}

	// Through the command: the message says why and what to do, before
	// anything is opened.
	e := newTestEnv(t)
	err := runServe(context.Background(), serveOptions{listen: "0.0.0.0:0"}, e.g)
	if err == nil || !strings.Contains(err.Error(), "refusing to listen on 0.0.0.0:0 without authentication") ||
		!strings.Contains(err.Error(), "web.auth.token") {
		t.Fatalf("err = %v", err)
	}
	e.write(t, "config.yaml", "data_dir: data\nweb:\n  listen: \":8080\"\n")
	err = runServe(context.Background(), serveOptions{}, e.g)
	if err == nil || !strings.Contains(err.Error(), ":8080 (every interface)") {
		t.Fatalf("err = %v", err)
	}
}

// lineLog collects a process's stderr lines as they come.
type lineLog struct {
	mu    sync.Mutex
	lines []string
	more  chan struct{} // pinged on each line
}

func (l *lineLog) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l.mu.Lock()
		l.lines = append(l.lines, sc.Text())
		l.mu.Unlock()
		select {
		case l.more <- struct{}{}:
		default:
		}
	}
}

func (l *lineLog) count(re *regexp.Regexp) (n int, first []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		if m := re.FindStringSubmatch(s); m != nil {
			if n == 0 {
				first = m
			}
			n++
		}
	}
	return n, first
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// waitLog waits until re has matched at least n lines.
func (l *lineLog) waitLog(t *testing.T, re *regexp.Regexp, n int, timeout time.Duration) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if got, first := l.count(re); got >= n {
			return first
		}
		select {
		case <-l.more:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("waited %s for %d lines matching %s; log:\n%s", timeout, n, re, l)
		}
	}
}

// TestServeSchedulesRunsWithoutOverlapAndStopsCleanly runs the real binary
// with a schedule firing every 2 s against a web slow enough that a run
// lasts longer than that: the runs happen, the one due mid-run is skipped
// and logged, the catalog's runs never overlap, and SIGTERM stops the
// daemon with exit code 0, its last run closed and the job lock free.
func TestServeSchedulesRunsWithoutOverlapAndStopsCleanly(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	e := newE2E(t, `schedule: "@every 2s"
recheck:
  alive: 1m
crawler:
  concurrency: 1
  per_host: 1
  per_host_interval: 0s
  retries: 0
  robots: false
  timeout: 1s
archive:
  external:
    wayback:
      enabled: false
    memento:
      enabled: false
reports:
  formats: [json]
`)
	var doc strings.Builder
	doc.WriteString("Reading list\n\n")
	site := e.web.Site("slow.example.com")
	for i := range 6 {
		site.HTML(fmt.Sprintf("/p%d", i), fmt.Sprintf("Page %d", i), "<p>A page that answers slowly, as some do.</p>")
		fmt.Fprintf(&doc, "https://slow.example.com/p%d\n", i)
	}
	// Seven requests a run (six pages and the soft-404 probe), one at a
	// time: about 2.8 s, longer than the interval.
	e.web.SetLatency(400 * time.Millisecond)
	if err := os.MkdirAll(filepath.Join(e.dir, "docs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "docs", "list.txt"), []byte(doc.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	e.writeConfig()

	cmd := e.command("serve", "--listen", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &lineLog{more: make(chan struct{}, 1)}
	readDone := make(chan struct{})
	go func() { logs.read(stderr); close(readDone) }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	addr := logs.waitLog(t, regexp.MustCompile(`msg=serving addr=(\S+)`), 1, 10*time.Second)[1]
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("/healthz: %d %q", resp.StatusCode, body)
	}

	logs.waitLog(t, regexp.MustCompile(`msg="run skipped: the previous run is still going"`), 1, 10*time.Second)
	logs.waitLog(t, regexp.MustCompile(`msg="run started"`), 2, 10*time.Second)
	// Stop in the middle of the second run's checks.
	logs.waitLog(t, checkedLine, 7, 10*time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { <-readDone; waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		var exit *exec.ExitError
		if errors.As(err, &exit) || err != nil {
			t.Fatalf("serve exited with %v; log:\n%s", err, logs)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not stop within 10 s of SIGTERM; log:\n%s", logs)
	}
	logs.waitLog(t, regexp.MustCompile(`msg=stopped`), 1, time.Second)

	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, filepath.Join(e.dir, "data", "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var runs []store.Run
	_ = st.Runs(ctx, 0, func(r store.Run) error { runs = append(runs, r); return nil })
	sort.Slice(runs, func(i, j int) bool { return runs[i].StartedAt.Before(runs[j].StartedAt) })
	if len(runs) < 2 {
		t.Fatalf("%d runs recorded; log:\n%s", len(runs), logs)
	}
	for i, r := range runs {
		if r.Kind != "serve" || (r.Status != store.RunOK && r.Status != store.RunInterrupted) || r.FinishedAt.IsZero() {
			t.Errorf("run %d: %+v", r.ID, r)
		}
		if i > 0 && runs[i-1].FinishedAt.After(r.StartedAt) {
			t.Errorf("run %d (%s–%s) overlaps run %d starting %s", runs[i-1].ID,
				runs[i-1].StartedAt.Format(time.StampMilli), runs[i-1].FinishedAt.Format(time.StampMilli), r.ID, r.StartedAt.Format(time.StampMilli))
		}
	}
	if runs[0].Status != store.RunOK || runs[0].Summary == nil || runs[0].Summary.Checked != 6 {
		t.Errorf("first run: %+v", runs[0])
	}
	// The lock was released: another owner takes it at once.
	if err := st.AcquireLock(ctx, "job", "test@elsewhere", time.Now(), time.Hour); err != nil {
		t.Errorf("job lock still held after serve stopped: %v", err)
	}
}

func TestJobCommandsRegistered(t *testing.T) {
	root := newRootCmd(newTestEnv(t).g)
	for _, name := range []string{"run", "schedule", "serve"} {
		if c, _, err := root.Find([]string{name}); err != nil || c.Name() != name {
			t.Errorf("%s: %v", name, err)
		}
	}
}
