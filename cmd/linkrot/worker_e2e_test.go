package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
)

// startPg runs the binary on the test's PostgreSQL catalog in the
// background; lines gets its stderr, line by line, until it exits.
func (e *pgE2E) startPg(args ...string) (*exec.Cmd, <-chan string) {
	e.t.Helper()
	cmd := e.command(args...)
	cmd.Env = append(cmd.Env, "LINKROT_DATABASE="+e.db)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 4096)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return cmd, lines
}

// waitLine reads lines until one contains want, failing after d.
func waitLine(t testing.TB, lines <-chan string, want string, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("process ended before printing %q", want)
			}
			if strings.Contains(l, want) {
				return
			}
		case <-deadline:
			t.Fatalf("no %q within %s", want, d)
		}
	}
}

// waitExit waits for cmd, failing after d.
func waitExit(t testing.TB, name string, cmd *exec.Cmd, lines <-chan string, d time.Duration) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		for range lines { // drain, so the process never blocks on stderr
		}
		done <- cmd.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	case <-time.After(d):
		t.Fatalf("%s still running after %s", name, d)
	}
}

// TestWorkersShareTheQueue is issue 10's test: three `linkrot worker`
// processes check one run of 200 hosts from one PostgreSQL queue, one is
// killed with SIGKILL mid-run, and still every link is checked exactly
// once in the run and no host ever had more than crawler.per_host (2)
// requests in flight, counted by fakeweb across all workers.
func TestWorkersShareTheQueue(t *testing.T) {
	e := newPgE2E(t, "crawler:\n  concurrency: 8\n  per_host: 2\n  per_host_interval: 0s\n  retries: 0\n  robots: true\narchive:\n  enabled: false\n")
	e.web.SetLatency(60 * time.Millisecond)
	e.web.SetLogLimit(100000)
	urls := e.web.GenerateSites(200, 5)
	e.addLinks(urls)

	coord, coordLines := e.startPg("check", "--distributed")
	waitLine(t, coordLines, "run 1 open", 30*time.Second)
	type proc struct {
		cmd   *exec.Cmd
		lines <-chan string
	}
	var workers []proc
	for i := range 3 {
		cmd, lines := e.startPg("worker", "--name", fmt.Sprintf("w%d", i+1), "--lease", "3s", "--batch", "16")
		workers = append(workers, proc{cmd, lines})
	}
	// Kill the first worker once it has recorded some checks.
	checked := 0
	deadline := time.After(60 * time.Second)
	for checked < 40 {
		select {
		case l, ok := <-workers[0].lines:
			if !ok {
				t.Fatalf("worker 1 ended after %d checks, before it could be killed", checked)
			}
			if strings.Contains(l, "msg=checked") {
				checked++
			}
		case <-deadline:
			t.Fatalf("worker 1 made only %d checks in 60s", checked)
		}
	}
	if err := workers[0].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = workers[0].cmd.Wait()
	for range workers[0].lines {
	}
	for i, w := range workers[1:] {
		waitExit(t, fmt.Sprintf("worker %d", i+2), w.cmd, w.lines, 90*time.Second)
	}
	waitExit(t, "check --distributed", coord, coordLines, 30*time.Second)

	pg, err := postgres.Open(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	perLink := map[string]int{}
	if err := pg.RunChecks(context.Background(), 1, 1, func(c store.RunCheck) error { perLink[c.URL]++; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		if n := perLink[u]; n != 1 {
			t.Errorf("%s checked %d times in run 1", u, n)
		}
	}
	if len(perLink) != len(urls) {
		t.Errorf("run 1 checked %d links, want %d", len(perLink), len(urls))
	}
	var runs []store.Run
	_ = pg.Runs(context.Background(), 0, func(r store.Run) error { runs = append(runs, r); return nil })
	if len(runs) != 1 || runs[0].Status != store.RunOK {
		t.Errorf("runs: %+v", runs)
	}
	hosts := map[string]bool{}
	for _, u := range urls {
		h := strings.SplitN(strings.SplitN(u, "://", 2)[1], "/", 2)[0]
		hosts[h] = true
	}
	busiest := 0
	for h := range hosts {
		n := e.web.MaxConcurrent(h)
		if n > 2 {
			t.Errorf("%s had %d requests in flight at once; the limit is 2", h, n)
		}
		busiest = max(busiest, n)
	}
	if busiest < 2 {
		t.Errorf("no host ever had 2 requests in flight (busiest %d): the limit was not exercised", busiest)
	}
	// robots.txt and soft-404 probes go through the shared cache: a host
	// is asked once by all workers together. Only the killed worker's
	// fetches in flight (at most crawler.concurrency) may be asked again.
	robots, probes := map[string]int{}, map[string]int{}
	for _, r := range e.web.Requests() {
		switch {
		case r.Path == "/robots.txt":
			robots[r.Host]++
		case r.Path != "/" && !strings.HasPrefix(r.Path, "/p/") && !strings.HasPrefix(r.Path, "/moved/"):
			probes[r.Host]++
		}
	}
	again := 0
	for _, m := range []map[string]int{robots, probes} {
		for _, n := range m {
			if n > 1 {
				again++
			}
		}
	}
	if len(robots) < len(hosts) || again > 8 {
		t.Errorf("robots.txt fetched on %d of %d hosts; %d hosts asked robots.txt or a probe more than once",
			len(robots), len(hosts), again)
	}
	t.Logf("robots.txt asked of %d hosts, probes of %d, %d asked twice", len(robots), len(probes), again)
	t.Logf("%d links over %d hosts checked once each; worker 1 killed after %d checks; busiest host %d in flight",
		len(urls), len(hosts), checked, busiest)
}

// TestWorkerStopGivesLinksBack: SIGTERM stops a worker mid-run with exit
// code 130, and the links it had claimed are given back at once, not
// after their (one-minute) leases.
func TestWorkerStopGivesLinksBack(t *testing.T) {
	e := newPgE2E(t, "crawler:\n  concurrency: 2\n  per_host: 1\n  retries: 0\n  robots: false\narchive:\n  enabled: false\n")
	e.web.SetLatency(2 * time.Second)
	urls := e.web.GenerateSites(20, 2)
	e.addLinks(urls)
	coord, coordLines := e.startPg("check", "--distributed")
	waitLine(t, coordLines, "run 1 open", 30*time.Second)
	go func() {
		for range coordLines {
		}
	}()

	pg, err := postgres.Open(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	w, lines := e.startPg("worker", "--lease", "1m", "--batch", "10")
	go func() {
		for range lines {
		}
	}()
	// Wait until it holds claims, then stop it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		q, err := pg.Remaining(context.Background(), 1, time.Now().Add(time.Hour), false)
		if err != nil {
			t.Fatal(err)
		}
		if q.Leased > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the worker claimed nothing in 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := w.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = w.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("worker stopped by SIGTERM: %v, want exit code 130", err)
	}
	q, err := pg.Remaining(context.Background(), 1, time.Now().Add(time.Hour), false)
	if err != nil {
		t.Fatal(err)
	}
	if q.Leased != 0 || q.Todo == 0 {
		t.Errorf("after the stop: %+v; want its links claimable again (none leased)", q)
	}
	_ = coord.Process.Signal(syscall.SIGTERM)
	_ = coord.Wait()
}
