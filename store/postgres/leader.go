package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Leader election. Of several `linkrot serve` processes on one database,
// exactly one should fire the cron schedule. PostgreSQL's session advisory
// locks do this without any table: the lock belongs to one connection and
// the server drops it the moment that connection ends, however the process
// died. So the leader keeps a dedicated connection (outside the pool, so
// the pool never hands it to someone else or closes it) and pings it; when
// the ping fails, it has lost the lock and must stop acting as leader.
// The others retry pg_try_advisory_lock every few seconds and one of them
// wins as soon as the server notices the old session is gone.

// Leader is a held leadership. Lost is closed when it is lost (its
// connection failed) or released.
type Leader struct {
	name  string
	key   int64
	conn  *pgx.Conn
	lost  chan struct{}
	stop  chan struct{}
	once  sync.Once  // closes lost
	stopO sync.Once  // closes stop
	mu    sync.Mutex // guards conn against the watcher and Release at once
	every time.Duration
}

// leaderKey is the advisory lock key for an election name (in a schema).
func leaderKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("linkrot-leader\n" + name))
	return int64(h.Sum64())
}

// TryLead tries once to become the leader of name (say "scheduler"). It
// returns nil, nil when another process leads. check is how often the
// leader's connection is pinged; a lost connection is noticed within
// about check.
func (s *Store) TryLead(ctx context.Context, name string, check time.Duration) (*Leader, error) {
	if check <= 0 {
		return nil, fmt.Errorf("lead %q: check interval must be positive", name)
	}
	cfg := s.pool.Config().ConnConfig.Copy()
	// The server frees the lock only when it notices the session is
	// gone. A process that died with its machine (or behind a network
	// cut) sends no FIN, so the server finds out by TCP keepalive, whose
	// default idle time is two hours. These session settings make it
	// about 25 s, well inside the minute a takeover may take.
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["tcp_keepalives_idle"] = "10"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "5"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("lead %q: %w", name, err)
	}
	// Advisory locks are per database, not per schema: the schema is in
	// the key, so two catalogs in one database elect separately.
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("lead %q: %w", name, err)
	}
	key := leaderKey(schema + "\n" + name)
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&got); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("lead %q: %w", name, err)
	}
	if !got {
		conn.Close(context.Background())
		return nil, nil
	}
	l := &Leader{name: name, key: key, conn: conn, lost: make(chan struct{}), stop: make(chan struct{}), every: check}
	go l.watch()
	return l, nil
}

// Campaign calls TryLead every retry until it leads or ctx ends.
func (s *Store) Campaign(ctx context.Context, name string, retry, check time.Duration) (*Leader, error) {
	for {
		l, err := s.TryLead(ctx, name, check)
		if err != nil || l != nil {
			return l, err
		}
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// watch pings the connection until it fails or Release.
func (l *Leader) watch() {
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		// At least a second: a ping slower than a short check interval
		// on a busy server is not a lost session, and giving the lock up
		// for it would let a second process lead.
		ctx, cancel := context.WithTimeout(context.Background(), max(l.every, time.Second))
		l.mu.Lock()
		err := l.conn.Ping(ctx)
		l.mu.Unlock()
		cancel()
		if err != nil {
			l.once.Do(func() { close(l.lost) })
			l.conn.Close(context.Background())
			return
		}
	}
}

// Lost is closed when the leadership is lost or released.
func (l *Leader) Lost() <-chan struct{} { return l.lost }

// Release gives the leadership up: the lock is unlocked and the
// connection closed.
func (l *Leader) Release(ctx context.Context) error {
	first := false
	l.stopO.Do(func() { close(l.stop); first = true })
	if !first {
		return nil // released already
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", l.key)
	l.conn.Close(ctx)
	l.once.Do(func() { close(l.lost) })
	if err != nil {
		return fmt.Errorf("release leadership %q: %w", l.name, err)
	}
	return nil
}

// BackendPID is the server process of the leader's connection, for
// operators (and tests) that need to find its session.
func (l *Leader) BackendPID() uint32 { return l.conn.PgConn().PID() }
