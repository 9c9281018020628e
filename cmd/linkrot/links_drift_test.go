package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

// TestLinksDriftedAndJSONFields: verdicts stored for two checked links
// show in `links --drifted`, `--replaced` and every link's JSON.
func TestLinksDriftedAndJSONFields(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	docs := e.write(t, "docs/a.md", "# A\n\n<https://n.example/drifted>\n<https://n.example/parked>\n<https://n.example/same>\n<https://n.example/new>\n")
	if err := runAdd(ctx, addOptions{}, e.g, []string{docs}); err != nil {
		t.Fatal(err)
	}
	r, err := e.g.open(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	st := r.Catalog()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	verdict := func(u string, d store.Drift) {
		t.Helper()
		ref, err := st.AddSnapshot(ctx, store.Snapshot{LinkURL: u, URL: u, CapturedAt: at.Add(-48 * time.Hour), Status: 200, ContentType: "text/html"})
		if err != nil {
			t.Fatal(err)
		}
		id, err := st.RecordCheck(ctx, store.CheckRecord{URL: u, CheckedAt: at, Class: "ok", Status: 200}, nil, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		d.CheckID = id
		if d.Comparable {
			d.ReferenceSnapshotID = ref
		}
		if err := st.RecordDrift(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	verdict("https://n.example/drifted", store.Drift{Comparable: true, Similarity: 0.31, Drifted: true})
	verdict("https://n.example/parked", store.Drift{Replaced: true, ReplacedReason: "parked", Evidence: "domain is for sale"})
	verdict("https://n.example/same", store.Drift{Comparable: true, Similarity: 0.97})
	r.Close()
	e.stdout.Reset()

	if err := runLinks(ctx, linksOptions{drifted: true}, e.g); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(e.stdout.String()); !strings.Contains(got, "drifted 0.31") || strings.Count(got, "\n") != 0 || !strings.HasSuffix(got, "https://n.example/drifted") {
		t.Errorf("--drifted: %q", got)
	}
	e.stdout.Reset()
	if err := runLinks(ctx, linksOptions{drifted: true, replaced: true}, e.g); err != nil {
		t.Fatal(err)
	}
	if got := e.stdout.String(); !strings.Contains(got, "replaced parked") || !strings.Contains(got, "/drifted") || strings.Contains(got, "/same") {
		t.Errorf("--drifted --replaced: %q", got)
	}
	e.stdout.Reset()
	if err := runLinks(ctx, linksOptions{json: true}, e.g); err != nil {
		t.Fatal(err)
	}
	byURL := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(e.stdout.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"similarity", "drifted", "replaced", "reference_copy"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: no %q in %s", m["url"], k, line)
			}
		}
		byURL[m["url"].(string)] = m
	}
	d := byURL["https://n.example/drifted"]
	if d["similarity"] != 0.31 || d["drifted"] != true || d["reference_copy"] == nil {
		t.Errorf("drifted link: %v", d)
	}
	p := byURL["https://n.example/parked"]
	if p["similarity"] != nil || p["replaced"] != true || p["replaced_reason"] != "parked" || p["reference_copy"] != nil {
		t.Errorf("parked link: %v", p)
	}
	if n := byURL["https://n.example/new"]; n["similarity"] != nil || n["drifted"] != false {
		t.Errorf("unjudged link: %v", n)
	}
}
