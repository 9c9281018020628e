package store_test

import (
	"path/filepath"
	"testing"

	"github.com/linkrot/linkrot/store"
	"github.com/linkrot/linkrot/store/storetest"
)

// The lookup cache and LinkPage, as every store runs them.
func TestSQLiteExtrasConformance(t *testing.T) {
	storetest.RunExtras(t, func(t *testing.T) store.Store {
		s, err := store.OpenSQLite(t.Context(), filepath.Join(t.TempDir(), "linkrot.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
