package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/store/postgres/pgtest"
)

// TestMigrateStore copies the catalog `add` made into PostgreSQL through
// the command line, twice (the second run copies nothing), and refuses
// bad flags.
func TestMigrateStore(t *testing.T) {
	e := newTestEnv(t)
	e.write(t, "docs/a.txt", "see https://a.example.org/x and https://b.example.org/y\n")
	if err := runAdd(context.Background(), addOptions{}, e.g, []string{filepath.Join(e.dir, "docs")}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []migrateStoreOptions{{to: "data/other.db", batch: 10}, {to: "postgres://h/db", batch: 0}} {
		if err := runMigrateStore(context.Background(), bad, e.g); err == nil {
			t.Errorf("migrate-store %+v accepted", bad)
		}
	}
	dst := pgtest.URL(t)
	for run := range 2 {
		e.stdout.Reset()
		if err := runMigrateStore(t.Context(), migrateStoreOptions{to: dst, batch: 10}, e.g); err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
		out := e.stdout.String()
		wantCopied := "2 copied"
		if run == 1 {
			wantCopied = "0 copied"
		}
		var linksLine string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "links ") {
				linksLine = l
			}
		}
		if !strings.Contains(linksLine, "2 rows") || !strings.Contains(linksLine, wantCopied) ||
			!strings.Contains(linksLine, "equal") || !strings.Contains(out, "copy verified") {
			t.Errorf("run %d output:\n%s", run+1, out)
		}
	}
}
