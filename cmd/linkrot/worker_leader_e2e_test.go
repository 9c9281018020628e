package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
)

// queueYAML is the configuration of the leader tests: small per-process
// concurrency, so that a run lasts long enough for a worker to join, and
// no public archive (the tests talk only to fakeweb).
const queueYAML = "crawler:\n  concurrency: 4\n  per_host: 2\n  per_host_interval: 0s\n  retries: 0\n  robots: false\n" +
	"archive:\n  enabled: false\n  external:\n    enabled: false\n"

// follow reads a process's stderr to the end, counting the checks it
// committed ("msg=checked" at debug), and closes seen when a line holds
// want.
func follow(lines <-chan string, want string) (checks *atomic.Int64, seen <-chan struct{}, done <-chan struct{}) {
	n := &atomic.Int64{}
	s, d := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(d)
		closed := false
		for l := range lines {
			if strings.Contains(l, "msg=checked") && strings.Contains(l, " pending=") { // the run's, not the crawler's
				n.Add(1)
			}
			if !closed && want != "" && strings.Contains(l, want) {
				close(s)
				closed = true
			}
		}
	}()
	return n, s, d
}

// TestServeLeadsAQueueRun: on PostgreSQL, serve's scheduled run is a run
// on the shared queue. The serve process works it as one worker and a
// `linkrot worker --follow` started before it joins; every link is
// checked exactly once in the run, both processes made checks, and the
// run is settled by serve with a summary that matches its checks.
func TestServeLeadsAQueueRun(t *testing.T) {
	e := newPgE2E(t, "schedule: \"@every 2s\"\n"+queueYAML)
	e.web.SetLatency(100 * time.Millisecond)
	urls := e.web.GenerateSites(60, 5)
	e.addLinks(urls)

	w, wLines := e.startPg("worker", "--follow", "--name", "outside", "--batch", "8")
	wChecks, _, wDone := follow(wLines, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv, sLines := e.startPg("serve", "--listen", addr)
	sChecks, finished, sDone := follow(sLines, "msg=\"run finished\"")
	select {
	case <-finished:
	case <-sDone:
		t.Fatal("serve ended before its run finished")
	case <-time.After(90 * time.Second):
		t.Fatal("serve's run did not finish in 90s")
	}
	_ = srv.Process.Signal(os.Interrupt)
	_ = w.Process.Signal(syscall.SIGTERM)
	<-sDone
	<-wDone
	if err := srv.Wait(); err != nil {
		t.Errorf("serve: %v", err)
	}
	var ee *exec.ExitError
	if err := w.Wait(); err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 130) {
		t.Errorf("worker: %v, want exit code 130 (stopped)", err)
	}

	pg, err := postgres.Open(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	states := checkedOnce(t, pg, 1, urls)
	if sChecks.Load() == 0 || wChecks.Load() == 0 || sChecks.Load()+wChecks.Load() != int64(len(urls)) {
		t.Errorf("serve made %d checks and the worker %d; want both some, %d in all", sChecks.Load(), wChecks.Load(), len(urls))
	}
	run := runByID(t, pg, 1)
	if run.Kind != "serve" || run.Status != store.RunOK || run.Summary == nil {
		t.Fatalf("run 1: %+v", run)
	}
	s := run.Summary
	got := map[store.LinkState]int{store.StateAlive: s.Alive, store.StateMoved: s.Moved, store.StateSuspect: s.Suspect,
		store.StateDead: s.Dead, store.StateBlocked: s.Blocked}
	for st, n := range states {
		if got[st] != n {
			t.Errorf("summary says %d %s, the run's checks %d", got[st], st, n)
		}
	}
	if s.Checked != len(urls) {
		t.Errorf("summary: %d checked, want %d", s.Checked, len(urls))
	}
	t.Logf("serve checked %d, the worker %d; summary %+v", sChecks.Load(), wChecks.Load(), *s)
}

// TestRunOnPostgresWithoutWorkers: `linkrot run` on PostgreSQL opens a
// queue run and, with no worker joining, checks every link itself,
// archives the live pages and writes the report.
func TestRunOnPostgresWithoutWorkers(t *testing.T) {
	e := newPgE2E(t, strings.Replace(queueYAML, "enabled: false\n  external", "enabled: true\n  external", 1))
	urls := e.web.GenerateSites(10, 4)
	e.addLinks(urls)
	cmd := e.command("run", "--json")
	cmd.Env = append(cmd.Env, "LINKROT_DATABASE="+e.db)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out)
	}
	var res job.PipelineResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("run --json: %v\n%s", err, out)
	}
	if c := res.Check; c.RunID != 1 || c.Status != store.RunOK || c.Checked != len(urls) || c.Captured == 0 || len(res.ReportFiles) == 0 {
		t.Errorf("run: %+v, reports %v", c, res.ReportFiles)
	}
	pg, err := postgres.Open(context.Background(), e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	checkedOnce(t, pg, 1, urls)
	if r := runByID(t, pg, 1); r.Kind != "run" || r.Status != store.RunOK {
		t.Errorf("run 1: %+v", r)
	}
}

// checkedOnce fails unless run checked each of urls exactly once, and
// returns how many of its checks left their link in each state.
func checkedOnce(t *testing.T, pg *postgres.Store, run int64, urls []string) map[store.LinkState]int {
	t.Helper()
	perLink, states := map[string]int{}, map[store.LinkState]int{}
	err := pg.RunChecks(context.Background(), run, run, func(c store.RunCheck) error {
		perLink[c.URL]++
		states[c.StateAfter]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		if n := perLink[u]; n != 1 {
			t.Errorf("%s checked %d times in run %d", u, n, run)
		}
	}
	if len(perLink) != len(urls) {
		t.Errorf("run %d checked %d links, want %d", run, len(perLink), len(urls))
	}
	return states
}

func runByID(t *testing.T, pg *postgres.Store, id int64) store.Run {
	t.Helper()
	var found store.Run
	err := pg.Runs(context.Background(), 0, func(r store.Run) error {
		if r.ID == id {
			found = r
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}
