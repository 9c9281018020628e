package store

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestMigration7Backfill: after the upgrade, the last check of each link
// that could have set its state carries that state, so a report on the
// runs before the upgrade knows which links were dead; older checks, and
// checks that set nothing, stay unknown.
func TestMigration7Backfill(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v6.db")
	old := &SQLite{path: path, abs: path, w: rawDB(t, path)}
	if err := old.open(ctx, migrations[:6]); err != nil {
		t.Fatal(err)
	}
	_, err := old.w.Exec(`
		INSERT INTO documents (id, path, scanned_at) VALUES (1, 'd.txt', '2020-01-01T00:00:00.000000000Z');
		INSERT INTO links (id, url, host, state, first_seen) VALUES
			(1, 'https://a.example/', 'a.example', 'dead', '2020-01-01T00:00:00.000000000Z'),
			(2, 'https://b.example/', 'b.example', 'alive', '2020-01-01T00:00:00.000000000Z');
		INSERT INTO occurrences (document_id, link_id, raw) VALUES (1, 1, 'x'), (1, 2, 'y');
		INSERT INTO runs (id, started_at, status) VALUES (1, '2020-01-02T00:00:00.000000000Z', 'ok'),
			(2, '2020-01-03T00:00:00.000000000Z', 'network_down');
		INSERT INTO checks (id, link_id, run_id, checked_at, class) VALUES
			(1, 1, 1, '2020-01-02T00:00:00.000000000Z', 'http_4xx'),
			(2, 1, 1, '2020-01-02T00:00:01.000000000Z', 'http_4xx'),
			(3, 2, 1, '2020-01-02T00:00:00.000000000Z', 'ok'),
			(4, 2, 2, '2020-01-03T00:00:00.000000000Z', 'network_down');`)
	if err != nil {
		t.Fatal(err)
	}
	old.w.Close()

	s := openT(t, path)
	var got []string
	rows, err := s.r.Query("SELECT id, state_before, state_after FROM checks ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id            int
			before, after string
		)
		if err := rows.Scan(&id, &before, &after); err != nil {
			t.Fatal(err)
		}
		got = append(got, before+">"+after)
	}
	if want := []string{">", ">dead", ">alive", ">"}; !reflect.DeepEqual(got, want) {
		t.Errorf("transitions after upgrade = %q, want %q", got, want)
	}
	var dead []string
	if err := s.LinksInState(ctx, []LinkState{StateDead}, 1, func(l Link) error { dead = append(dead, l.URL); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dead, []string{"https://a.example/"}) {
		t.Errorf("dead after run 1 = %q", dead)
	}
}
