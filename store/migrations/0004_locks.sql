-- Schema version 4: named locks shared by every process using the catalog
-- (`linkrot run` from cron, `linkrot serve`, `linkrot check`), so that two
-- jobs never check the same links at once.
--
-- A lock is one row. Its holder refreshes heartbeat while it works; a lock
-- whose heartbeat is older than the taker's stale timeout belongs to a
-- process that died and may be taken over.
CREATE TABLE locks (
    name        TEXT PRIMARY KEY,
    owner       TEXT NOT NULL, -- "pid@host" or similar, unique per process
    acquired_at TEXT NOT NULL,
    heartbeat   TEXT NOT NULL
);
