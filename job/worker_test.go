package job

import (
	"errors"
	"testing"

	"github.com/linkrot/linkrot/config"
)

// The shared queue lives in PostgreSQL: on a SQLite catalog the worker
// and the coordinator refuse, saying so, instead of checking alone.
func TestDistributedNeedsPostgres(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	r, err := Open(t.Context(), cfg, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Work(t.Context(), WorkerOptions{}); !errors.Is(err, ErrNoPostgres) {
		t.Errorf("Work on SQLite: %v", err)
	}
	if _, err := r.CheckDistributed(t.Context(), DistributedOptions{}); !errors.Is(err, ErrNoPostgres) {
		t.Errorf("CheckDistributed on SQLite: %v", err)
	}
}
