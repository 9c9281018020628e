package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps one prepared statement per query text for a pool.
// modernc's SQLite parses a statement in Go, about 50 µs for the snapshot
// and drift queries a check run asks once per check: unprepared, the
// parsing was a seventh of a run's CPU. database/sql prepares a cached
// statement again on each pooled connection it lands on, so this is safe
// with any number of readers.
//
// Only single statements go through it (never a migration script), and
// it holds at most stmtCacheMax texts: a query built from a user's
// filters is then still run, just not kept.
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const stmtCacheMax = 256

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt)}
}

// stmt returns the prepared statement for q, or nil when it cannot be
// kept (the cache is full, or preparing failed: the caller then runs q
// unprepared, which reports the same error in its usual place).
func (c *stmtCache) stmt(ctx context.Context, q string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[q]
	full := len(c.m) >= stmtCacheMax
	c.mu.Unlock()
	if ok || full {
		return st
	}
	// Prepared outside the lock: on the writer pool it waits for the one
	// connection, which another goroutine's transaction may hold.
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had, ok := c.m[q]; ok {
		st.Close()
		return had
	}
	c.m[q] = st
	return st
}

// warm prepares qs now. A statement run inside a transaction must be
// warm: the writer pool's one connection is the transaction's then, so
// preparing it there would wait for itself.
func (c *stmtCache) warm(ctx context.Context, qs ...string) error {
	for _, q := range qs {
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.m[q] = st
		c.mu.Unlock()
	}
	return nil
}

// inTx is the warm statement q for use in tx.
func (c *stmtCache) inTx(ctx context.Context, tx *sql.Tx, q string) *sql.Stmt {
	c.mu.Lock()
	st := c.m[q]
	c.mu.Unlock()
	if st == nil {
		panic("store: a statement run in a transaction was not prepared at open (add it to txStatements): " + q)
	}
	return tx.StmtContext(ctx, st)
}

func (c *stmtCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.db.QueryContext(ctx, q, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.db.QueryRowContext(ctx, q, args...)
}

func (c *stmtCache) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.db.ExecContext(ctx, q, args...)
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}
