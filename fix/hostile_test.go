package fix

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/pubarchive"
	"github.com/linkrot/linkrot/store"
)

const (
	hostileFormula = `=cmd|' /C calc'!A0`
	hostileScript  = `javascript:alert(1)`
)

// hostileFinder answers a copy whose URL is whatever it was given.
type hostileFinder struct{ url string }

func (h hostileFinder) Find(_ context.Context, u string, _ time.Time) (pubarchive.RemoteCopy, error) {
	return pubarchive.RemoteCopy{URL: h.url, Original: u, Time: copyTime, Status: 200, Source: "wayback"}, nil
}

// wantClean fails when a fixture, after a run, holds a hostile URL.
func (e *env) wantClean(t *testing.T, when string) {
	t.Helper()
	for name := range fixtures {
		b, err := os.ReadFile(e.paths[name])
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"calc'!A0", "calc&#39;!A0", "javascript:"} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s: %s holds %q:\n%s", when, name, bad, b)
			}
		}
	}
}

// TestFixNeverWritesHostileURLs: `fix --write` with a public archive on
// loopback whose Wayback availability answer is a spreadsheet formula and
// whose Memento Location is a javascript: URL; with a Finder that returns
// them as is; with a catalog that holds them as recorded copies; and
// with a moved link whose target is one. None reaches a document.
func TestFixNeverWritesHostileURLs(t *testing.T) {
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	w.Site("hostile-archive.test").
		Page("/wayback/available", http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(rw, `{"archived_snapshots":{"closest":{"available":true,"status":"200","timestamp":"20200601120000","url":%q}}}`, hostileFormula)
		})).
		Fallback(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Vary", "accept-datetime")
			rw.Header().Set("Link", fmt.Sprintf(`<%s>; rel="memento"; datetime="Mon, 01 Jun 2020 12:00:00 GMT"`, hostileScript))
			rw.Header().Set("Location", hostileScript)
			rw.WriteHeader(http.StatusFound)
		}))
	remote := pubarchive.NewRemote(config.External{
		Wayback: config.Wayback{Enabled: true, AvailabilityURL: "https://hostile-archive.test/wayback/available"},
		Memento: config.Memento{Enabled: true, Timegates: []string{"https://hostile-archive.test/timegate/"}},
	}, w.Client(), pubarchive.RemoteOptions{Timeout: 10 * time.Second})

	for name, finder := range map[string]CopyFinder{"loopback archive": remote,
		"finder formula": hostileFinder{hostileFormula}, "finder script": hostileFinder{hostileScript}} {
		e := newEnv(t)
		stats, _ := e.run(t, Options{Archive: ArchiveRemote, Remote: finder, Write: true})
		if stats.Archived != 0 {
			t.Errorf("%s: %d references to hostile copies", name, stats.Archived)
		}
		e.wantClean(t, name)
	}

	// A local base that is no web URL gives no local copy either.
	e := newEnv(t)
	if _, err := e.st.AddSnapshot(t.Context(), store.Snapshot{LinkURL: deadURL, URL: deadURL, CapturedAt: copyTime, Status: 200}); err != nil {
		t.Fatal(err)
	}
	if stats, _ := e.run(t, Options{Archive: ArchiveLocal, LocalBase: "javascript:", Write: true}); stats.Archived != 0 {
		t.Errorf("local copies under a javascript: base: %+v", stats)
	}
	e.wantClean(t, "javascript: local base")

	// The catalog holds hostile copies, and a move to a javascript: URL.
	e = newEnv(t)
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i, u := range []string{deadURL, mtURL, dead2URL, dead3URL, imgURL, noScheme} {
		c := []string{hostileFormula, hostileScript}[i%2]
		if err := e.st.SetArchiveCopy(t.Context(), u, store.ArchiveCopy{URL: c, Time: copyTime, Source: "wayback", CheckedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
	const moved = "https://alive.example.org/page"
	if _, err := e.st.RecordCheck(t.Context(), store.CheckRecord{URL: moved, CheckedAt: at, Class: "redirect", Status: 200, FinalURL: hostileScript},
		&store.LinkStatus{State: store.StateMoved, MovedTo: hostileScript, LastSuccess: at}, at.Add(720*time.Hour)); err != nil {
		t.Fatal(err)
	}
	stats, _ := e.run(t, Options{Archive: ArchiveRemote, Remote: hostileFinder{hostileScript}, Moved: true, Write: true})
	if stats.Archived != 0 || stats.Moved != 0 {
		t.Errorf("hostile catalog: %+v", stats)
	}
	e.wantClean(t, "hostile catalog")
}
