package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRecordCheckAtomic makes the link update fail after the check row is
// inserted: the check must not stay behind without its state change.
func TestRecordCheckAtomic(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s := openT(t, filepath.Join(t.TempDir(), "linkrot.db"))
	u := "https://atomic.example/"
	if _, err := s.SaveDocument(ctx, Document{Path: "a.txt", ScannedAt: t0}, []Occurrence{{URL: u, Role: RoleCited}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`CREATE TEMP TRIGGER fail_update BEFORE UPDATE OF state ON links
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`); err != nil {
		t.Fatal(err)
	}
	_, err := s.RecordCheck(ctx, CheckRecord{URL: u, CheckedAt: t0, Class: "ok"}, &LinkStatus{State: "alive"}, t0.Add(time.Hour))
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("RecordCheck with a failing update = %v", err)
	}
	var n int
	if err := s.w.QueryRow("SELECT count(*) FROM checks").Scan(&n); err != nil || n != 0 {
		t.Errorf("checks after a failed RecordCheck = %d, %v; want 0", n, err)
	}
	// The same for ApplyPending: the check stays pending.
	run, err := s.BeginRun(ctx, t0, "run")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.RecordCheck(ctx, CheckRecord{URL: u, RunID: run, CheckedAt: t0, Class: "ok", Pending: true}, nil, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyPending(ctx, id, LinkStatus{State: "alive"}, t0); err == nil {
		t.Fatal("ApplyPending with a failing update succeeded")
	}
	var pending bool
	if err := s.w.QueryRow("SELECT pending FROM checks WHERE id = ?", id).Scan(&pending); err != nil || !pending {
		t.Errorf("check after a failed ApplyPending: pending %v, %v", pending, err)
	}
}

// TestRecordCheckSurvivesKill checks the promise that a recorded check is
// on disk when RecordCheck returns: a child process records checks and
// kills itself (SIGKILL on Unix) without closing anything; every check it
// was told about must be there.
func TestRecordCheckSurvivesKill(t *testing.T) {
	t.Parallel()
	const envDB, envN = "LINKROT_TEST_KILL_DB", "LINKROT_TEST_KILL_N"
	u := "https://kill.example/"
	if path := os.Getenv(envDB); path != "" {
		n, _ := strconv.Atoi(os.Getenv(envN))
		s, err := OpenSQLite(context.Background(), path)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(2)
		}
		for i := range n {
			at := t0.Add(time.Duration(i) * time.Hour)
			st := &LinkStatus{State: "suspect", ConsecutiveFailures: i + 1, FirstFailure: t0}
			if _, err := s.RecordCheck(context.Background(), CheckRecord{URL: u, CheckedAt: at, Class: "timeout"}, st, at.Add(24*time.Hour)); err != nil {
				fmt.Println("record:", err)
				os.Exit(2)
			}
		}
		p, _ := os.FindProcess(os.Getpid())
		p.Kill()
		select {}
	}

	path := filepath.Join(t.TempDir(), "linkrot.db")
	s := openT(t, path)
	if _, err := s.SaveDocument(t.Context(), Document{Path: "k.txt", ScannedAt: t0}, []Occurrence{{URL: u, Role: RoleCited}}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	const n = 25
	cmd := exec.Command(os.Args[0], "-test.run=^TestRecordCheckSurvivesKill$")
	cmd.Env = append(os.Environ(), envDB+"="+path, envN+"="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 2 || exit.ExitCode() == 0 {
		t.Fatalf("child did not die by its own kill: %v\n%s", err, out)
	}

	s = openT(t, path)
	l, err := s.LinkByURL(t.Context(), u)
	if err != nil {
		t.Fatal(err)
	}
	if l.State != "suspect" || l.ConsecutiveFailures != n || !l.LastChecked.Equal(t0.Add((n-1)*time.Hour)) {
		t.Errorf("link after the kill = %+v, want the state of check %d", l, n)
	}
	count := 0
	if err := s.History(t.Context(), u, func(CheckRecord) error { count++; return nil }); err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Errorf("checks after the kill = %d, want %d", count, n)
	}
}

// TestDueLinksPlan pins the property DueLinks relies on to stream from a
// large catalog: one index range in next_check order, no sort.
func TestDueLinksPlan(t *testing.T) {
	t.Parallel()
	s := openT(t, filepath.Join(t.TempDir(), "linkrot.db"))
	rows, err := s.r.Query(`EXPLAIN QUERY PLAN SELECT l.id FROM links l
		WHERE EXISTS (SELECT 1 FROM `+presentOccurrences+` WHERE o.link_id = l.id) AND l.next_check <= ?
		ORDER BY l.next_check, l.id`, "2024")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	all := strings.Join(plan, "\n")
	if !strings.Contains(all, "links_next_check (next_check<?)") || strings.Contains(all, "TEMP B-TREE") {
		t.Errorf("DueLinks plan:\n%s\nwant a range of links_next_check and no sort", all)
	}
}
