package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// TestWritersRefuseDuringACheck runs a long check through the real binary
// and, meanwhile, an add and a fix --write: each refuses at once with a
// message naming the check's process, and writes nothing. Afterwards every
// check the run made is in the catalog, and the add, run again, works.
func TestWritersRefuseDuringACheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	e := newE2E(t, "crawler:\n  concurrency: 2\n  per_host: 1\n  per_host_interval: 0s\n  retries: 0\n  robots: false\n")
	e.web.SetLatency(50 * time.Millisecond)
	urls := e.web.GenerateSites(2, 30)
	e.addLinks(urls)
	more := filepath.Join(e.dir, "more.txt")
	if err := os.WriteFile(more, []byte("See https://later.example/page\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(e.dir, "docs", "list.txt")
	before, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}

	first, sc := e.start("check")
	for sc.Scan() && !checkedLine.MatchString(sc.Text()) {
	}
	go func() {
		for sc.Scan() {
		}
	}()
	pid := fmt.Sprint(first.Process.Pid)
	for _, args := range [][]string{{"add", more}, {"fix", "--write", "--archive", "remote", list}} {
		out, err := e.command(args...).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("%s during a check: err %v, want exit code 1\n%s", args[0], err, out)
		}
		if !strings.Contains(string(out), "another linkrot job is running") || !strings.Contains(string(out), pid) {
			t.Errorf("%s during a check said:\n%s", args[0], out)
		}
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("the check: %v", err)
	}
	if after, _ := os.ReadFile(list); string(after) != string(before) {
		t.Errorf("the refused fix changed the document")
	}

	st, err := store.OpenSQLite(context.Background(), filepath.Join(e.dir, "data", "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		n := 0
		if err := st.History(context.Background(), u, func(store.CheckRecord) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s has %d checks, want the run's 1", u, n)
		}
	}
	if _, err := st.LinkByURL(context.Background(), "https://later.example/page"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused add stored its link: %v", err)
	}
	st.Close()

	e.mustRun("add", more)
	st, err = store.OpenSQLite(context.Background(), filepath.Join(e.dir, "data", "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.LinkByURL(context.Background(), "https://later.example/page"); err != nil {
		t.Errorf("add after the check: %v", err)
	}
}

// TestInterruptIsRecorded stops a check with SIGINT: it says
// "interrupted" (not a raw context error), exits 130, and the run is in
// the catalog as interrupted, with the checks it made.
func TestInterruptIsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	e := newE2E(t, "crawler:\n  concurrency: 2\n  per_host: 1\n  per_host_interval: 0s\n  retries: 0\n  robots: false\n")
	e.web.SetLatency(50 * time.Millisecond)
	e.addLinks(e.web.GenerateSites(2, 30))
	cmd, sc := e.start("check")
	for sc.Scan() && !checkedLine.MatchString(sc.Text()) {
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var tail []string
	for sc.Scan() {
		tail = append(tail, sc.Text())
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("interrupted check: %v, want exit code 130", err)
	}
	// The debug log may mention the cancelled requests; what the user is
	// told is the last line.
	if len(tail) == 0 || tail[len(tail)-1] != "linkrot: interrupted" {
		t.Errorf("interrupted check said:\n%s", strings.Join(tail, "\n"))
	}
	st, err := store.OpenSQLite(context.Background(), filepath.Join(e.dir, "data", "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var runs []store.Run
	_ = st.Runs(context.Background(), 0, func(r store.Run) error { runs = append(runs, r); return nil })
	if len(runs) != 1 || runs[0].Status != store.RunInterrupted || runs[0].Summary == nil || runs[0].Summary.Checked == 0 {
		t.Errorf("runs: %+v", runs)
	}
}
