package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/postgres"
	"github.com/linkrot/linkrot/store/postgres/pgtest"
)

// TestNetworkDownOverAllWorkers: the coordinator decides the outage rule
// over the checks of every worker together. Two workers each see
// connection refusals on hosts the other did not try; neither alone has
// enough failing hosts, together they do (3 of 4 hosts), so the whole
// run is network_down. With only one failing host the pending checks are
// applied instead.
func TestNetworkDownOverAllWorkers(t *testing.T) {
	for _, c := range []struct {
		name    string
		failing int // hosts whose check fails at the network level
		down    bool
	}{{"outage", 3, true}, {"one bad host", 1, false}} {
		t.Run(c.name, func(t *testing.T) {
			url := pgtest.URL(t)
			cfg := config.Default()
			cfg.DataDir, cfg.Database = t.TempDir(), url
			now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
			r, err := Open(t.Context(), cfg, Deps{Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			pg := r.Postgres()
			var occs []store.Occurrence
			for h := range 4 {
				u := fmt.Sprintf("https://h%d.example/page", h)
				occs = append(occs, store.Occurrence{URL: u, Raw: u, Line: h + 1, Role: store.RoleCited, Confidence: 1})
			}
			if _, err := pg.SaveDocument(t.Context(), store.Document{Path: "/d.txt", ScannedAt: now.Add(-time.Hour)}, occs); err != nil {
				t.Fatal(err)
			}
			opened := make(chan int64, 1)
			type result struct {
				sum Summary
				err error
			}
			done := make(chan result, 1)
			go func() {
				sum, err := r.CheckDistributed(context.Background(), DistributedOptions{Poll: 20 * time.Millisecond,
					Opened: func(id int64) { opened <- id }})
				done <- result{sum, err}
			}()
			run := <-opened
			// Two workers, two links each: worker w0 gets h0 and h1, w1 h2 and h3.
			for w := range 2 {
				name := fmt.Sprintf("w%d", w)
				links, err := pg.Claim(t.Context(), postgres.ClaimQuery{Worker: name, RunID: run, Now: now.Add(dueMargin), Limit: 2, Lease: time.Minute})
				if err != nil || len(links) != 2 {
					t.Fatalf("%s claimed %d: %v", name, len(links), err)
				}
				for _, l := range links {
					h := int(l.URL[len("https://h")] - '0')
					rec := store.CheckRecord{LinkID: l.ID, RunID: run, CheckedAt: now, Class: "ok", Status: 200, Method: "GET"}
					st := &store.LinkStatus{State: store.StateAlive, LastSuccess: now}
					if h < c.failing {
						rec.Class, rec.Status, rec.Pending, st = "conn_refused", 0, true, nil
					}
					if _, err := pg.RecordCheck(t.Context(), rec, st, time.Time{}); err != nil {
						t.Fatal(err)
					}
					if err := pg.Complete(t.Context(), name, run, []int64{l.ID}); err != nil {
						t.Fatal(err)
					}
				}
			}
			var res result
			select {
			case res = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the coordinator did not see the queue empty")
			}
			if got := errors.Is(res.err, ErrNetworkDown); got != c.down {
				t.Fatalf("network down %v (%v), want %v", got, res.err, c.down)
			}
			if res.sum.Checked != 4 {
				t.Errorf("summary counts %d checks, want 4", res.sum.Checked)
			}
			var pending []store.CheckRecord
			_ = pg.PendingChecks(t.Context(), run, func(cr store.CheckRecord) error { pending = append(pending, cr); return nil })
			if len(pending) != 0 {
				t.Errorf("%d checks still pending after the run", len(pending))
			}
			l, err := pg.LinkByURL(t.Context(), "https://h0.example/page")
			if err != nil {
				t.Fatal(err)
			}
			if unchanged := l.State == store.StateUnchecked; unchanged != c.down {
				t.Errorf("h0's state is %s after a run judged down=%v", l.State, c.down)
			}
			var runs []store.Run
			_ = pg.Runs(t.Context(), 1, func(x store.Run) error { runs = append(runs, x); return nil })
			want := store.RunOK
			if c.down {
				want = store.RunNetworkDown
			}
			if len(runs) != 1 || runs[0].Status != want {
				t.Errorf("run: %+v, want status %s", runs, want)
			}
		})
	}
}
