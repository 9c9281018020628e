package store_test

import (
	"path/filepath"
	"testing"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/storetest"
)

func TestSQLiteDriftConformance(t *testing.T) {
	storetest.RunDrift(t, func(t *testing.T) store.Store {
		s, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "linkrot.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
