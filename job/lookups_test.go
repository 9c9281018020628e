package job

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/ui"
	"github.com/linkrot/linkrot/store"
)

// lookupHarness has dead links in the catalog and the public archives'
// endpoints at archiveHost, reached through network.resolve like any
// configured host.
func lookupHarness(t *testing.T, archiveHost string, dead ...string) *harness {
	t.Helper()
	h := newHarness(t)
	h.cfg.DeadAfter = config.DeadAfter{Failures: 1, MinSpan: 0}
	site := h.web.Site("gone.example")
	var doc strings.Builder
	for _, u := range dead {
		site.Status(strings.TrimPrefix(u, "https://gone.example"), 404)
		fmt.Fprintf(&doc, "see %s\n", u)
	}
	h.cfg.Archive.External.Wayback = config.Wayback{Enabled: true,
		AvailabilityURL: "https://" + archiveHost + "/wayback/available", CDXURL: "https://" + archiveHost + "/cdx/search/cdx"}
	h.cfg.Archive.External.Memento.Enabled = false
	h.doc("dead.txt", doc.String())
	if _, err := h.run(true); err != nil {
		t.Fatal(err)
	}
	for _, u := range dead {
		if st := h.state(u); st != store.StateDead {
			t.Fatalf("%s is %s, want dead", u, st)
		}
	}
	return h
}

func (h *harness) lookUp() (LookupStats, string) {
	h.t.Helper()
	var stderr bytes.Buffer
	st, err := LookUpDeadLinks(context.Background(), h.cfg, h.st, h.clock.Now, ui.New(io.Discard, &stderr, false), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return st, stderr.String()
}

func TestLookupsAreCachedAndRefreshed(t *testing.T) {
	t.Parallel()
	kept, lost := "https://gone.example/kept", "https://gone.example/lost"
	h := lookupHarness(t, "archive.test", kept, lost)
	h.web.Archive("archive.test").Add(kept, time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC), 200, "<p>as cited</p>")
	h.cfg.Network.Resolve, h.cfg.Network.ResolveOnly = h.web.Resolve(), true

	st, warn := h.lookUp()
	if st.Asked != 2 || st.Found != 1 || st.Failed != 0 || warn != "" {
		t.Fatalf("first lookups: %+v, warnings %q", st, warn)
	}
	l, ok, err := h.st.LookupOf(context.Background(), kept)
	if err != nil || !ok || !l.Found || !strings.Contains(l.CopyURL, "archive.test") || l.Source != "wayback" || !l.AskedAt.Equal(h.clock.Now()) {
		t.Errorf("cached lookup of %s: %+v %v %v", kept, l, ok, err)
	}
	if l, ok, _ := h.st.LookupOf(context.Background(), lost); !ok || l.Found || l.Err != "" {
		t.Errorf("cached lookup of %s: %+v", lost, l)
	}
	// The answer is on the link, where reports and fix read it.
	if c, err := h.st.ArchiveCopy(context.Background(), kept); err != nil || c.URL != l.CopyURL && c.URL == "" {
		t.Errorf("archive copy on the link: %+v %v", c, err)
	}

	requests := len(h.web.Requests())
	if st, _ := h.lookUp(); st.Asked != 0 {
		t.Errorf("asked again within archive.external.refresh: %+v", st)
	}
	if n := len(h.web.Requests()); n != requests {
		t.Errorf("%d requests for cached answers", n-requests)
	}
	h.clock.Advance(time.Duration(h.cfg.Archive.External.Refresh) + time.Hour)
	if st, _ := h.lookUp(); st.Asked != 2 {
		t.Errorf("after the refresh period: %+v", st)
	}

	h.cfg.Archive.External.Enabled = false
	h.clock.Advance(time.Duration(h.cfg.Archive.External.Refresh) + time.Hour)
	requests = len(h.web.Requests())
	if st, _ := h.lookUp(); st.Asked != 0 || st.Skipped == "" || len(h.web.Requests()) != requests {
		t.Errorf("archive.external.enabled false still asked: %+v", st)
	}
	h.cfg.Archive.External.Enabled, h.cfg.Archive.Enabled = true, false
	if st, _ := h.lookUp(); st.Asked != 0 || len(h.web.Requests()) != requests {
		t.Errorf("archive.enabled false still asked: %+v", st)
	}
}

// TestLookupsSkipUnresolvableArchives: with resolve_only and no entry for
// the archive's host, nothing is asked and one warning says why.
func TestLookupsSkipUnresolvableArchives(t *testing.T) {
	t.Parallel()
	h := lookupHarness(t, "archive.invalid", "https://gone.example/a", "https://gone.example/b", "https://gone.example/c")
	h.cfg.Network.Resolve, h.cfg.Network.ResolveOnly = h.web.Resolve(), true
	requests := len(h.web.Requests())
	st, warn := h.lookUp()
	if st.Asked != 0 || !strings.Contains(st.Skipped, "archive.invalid") {
		t.Errorf("lookups: %+v", st)
	}
	if strings.Count(warn, "\n") != 1 || !strings.Contains(warn, "do not resolve") {
		t.Errorf("want one warning, got %q", warn)
	}
	if n := len(h.web.Requests()); n != requests {
		t.Errorf("%d requests", n-requests)
	}
}

// TestLookupFailuresAreOneLine: an archive that refuses connections fails
// every lookup the same way; stderr gets one line with the count, and the
// failures are asked again next run.
func TestLookupFailuresAreOneLine(t *testing.T) {
	t.Parallel()
	dead := []string{"https://gone.example/1", "https://gone.example/2", "https://gone.example/3", "https://gone.example/4"}
	h := lookupHarness(t, "down.test", dead...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	h.cfg.Network.Resolve = append(h.web.Resolve(), "down.test:443="+closed)
	h.cfg.Network.ResolveOnly = true
	st, warn := h.lookUp()
	if st.Asked != 4 || st.Failed != 4 {
		t.Errorf("lookups: %+v", st)
	}
	if strings.Count(warn, "\n") != 1 || !strings.Contains(warn, "4 failed") {
		t.Errorf("want one aggregated warning, got %q", warn)
	}
	if l, ok, _ := h.st.LookupOf(context.Background(), dead[0]); !ok || l.Err == "" || l.Found {
		t.Errorf("failed lookup cached as %+v", l)
	}
	if st, _ := h.lookUp(); st.Asked != 4 {
		t.Errorf("failures not asked again: %+v", st)
	}
}
