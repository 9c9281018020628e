-- linkrot catalog, schema version 1.
--
-- Conventions, kept by every later migration:
--   * Times are TEXT in UTC, fixed width "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ"
--     (valid RFC 3339). Fixed width makes text order equal time order, so
--     "next_check <= ?" and ORDER BY work on the text, and the file stays
--     readable with the sqlite3 shell. NULL means "never" / "not set".
--   * Lists and structured evidence are JSON text; NULL means empty.
--   * Enumerations (state, class, role, status) are the stable snake_case
--     names from DESIGN.md, never integers, so old rows keep their meaning.
--   * Nothing is deleted by linkrot itself: links, checks and snapshots are
--     history. Only a document's occurrences are replaced when it is rescanned.
--   * Columns are never dropped or renamed by a migration; new ones are added
--     with defaults, so an upgraded database keeps every value it had.

-- One row per scanned document (file), keyed by its path.
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    path          TEXT    NOT NULL UNIQUE,
    format        TEXT    NOT NULL DEFAULT '',
    hash          TEXT    NOT NULL DEFAULT '', -- sha256 hex of the content
    size          INTEGER NOT NULL DEFAULT 0,
    mod_time      TEXT,
    title         TEXT    NOT NULL DEFAULT '',
    date          TEXT    NOT NULL DEFAULT '',
    source_url    TEXT    NOT NULL DEFAULT '',
    scanned_at    TEXT,
    missing_since TEXT                         -- NULL while the file exists
);

-- One row per distinct URL, ever. The crawler owns the check columns.
CREATE TABLE links (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT    NOT NULL UNIQUE,
    host                 TEXT    NOT NULL DEFAULT '', -- lower-case, no port
    state                TEXT    NOT NULL DEFAULT 'unchecked',
    first_seen           TEXT    NOT NULL,
    last_checked         TEXT,
    next_check           TEXT,                        -- due when <= now
    last_success         TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    first_failure        TEXT,                        -- start of the current failing streak
    last_class           TEXT    NOT NULL DEFAULT '',
    last_status          INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT    NOT NULL DEFAULT '',
    final_url            TEXT    NOT NULL DEFAULT '',
    moved_to             TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX links_state_next_check ON links (state, next_check);
CREATE INDEX links_next_check ON links (next_check);

-- One URL at one place in one document, as extraction found it.
-- (start_offset/end_offset rather than start/end: END is reserved in SQL.)
CREATE TABLE occurrences (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    link_id      INTEGER NOT NULL REFERENCES links (id),
    start_offset INTEGER NOT NULL DEFAULT 0, -- byte offsets of raw in the document
    end_offset   INTEGER NOT NULL DEFAULT 0,
    line         INTEGER NOT NULL DEFAULT 0, -- 1-based
    col          INTEGER NOT NULL DEFAULT 0, -- 1-based, in bytes
    raw          TEXT    NOT NULL DEFAULT '',
    role         TEXT    NOT NULL DEFAULT 'cited', -- source | cited
    repaired     INTEGER NOT NULL DEFAULT 0,
    repairs      TEXT,   -- JSON array of strings
    confidence   REAL    NOT NULL DEFAULT 0,
    alternatives TEXT,   -- JSON array of strings
    reasons      TEXT    -- JSON array of strings
);
CREATE INDEX occurrences_document ON occurrences (document_id);
CREATE INDEX occurrences_link ON occurrences (link_id);

-- One row per job run (scheduled or manual).
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running', -- running | ok | failed | interrupted
    counts      TEXT,                            -- JSON object of counters
    error       TEXT NOT NULL DEFAULT ''
);

-- One row per finished check of a link: the history link states come from.
CREATE TABLE checks (
    id          INTEGER PRIMARY KEY,
    link_id     INTEGER NOT NULL REFERENCES links (id),
    run_id      INTEGER REFERENCES runs (id),  -- NULL for a check outside a run
    checked_at  TEXT    NOT NULL,
    class       TEXT    NOT NULL,              -- ok, http_4xx, soft_404, network_down, ...
    status_code INTEGER NOT NULL DEFAULT 0,
    final_url   TEXT    NOT NULL DEFAULT '',
    redirects   TEXT,                          -- JSON array of hops
    latency_ms  INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT '',
    evidence    TEXT                           -- JSON object
);
CREATE INDEX checks_link_time ON checks (link_id, checked_at);
CREATE INDEX checks_run ON checks (run_id);

-- One row per saved copy of a page.
CREATE TABLE snapshots (
    id             INTEGER PRIMARY KEY,
    link_id        INTEGER NOT NULL REFERENCES links (id),
    check_id       INTEGER REFERENCES checks (id),
    captured_at    TEXT    NOT NULL,
    url            TEXT    NOT NULL DEFAULT '', -- the URL actually fetched (after redirects)
    status         INTEGER NOT NULL DEFAULT 0,
    content_type   TEXT    NOT NULL DEFAULT '',
    payload_digest TEXT    NOT NULL DEFAULT '', -- e.g. "sha256:<hex>", for deduplication
    raw_blob       TEXT    NOT NULL DEFAULT '', -- blob ids in the archive's blob store
    html_blob      TEXT    NOT NULL DEFAULT '',
    text_blob      TEXT    NOT NULL DEFAULT '',
    warc_file      TEXT    NOT NULL DEFAULT '',
    warc_offset    INTEGER NOT NULL DEFAULT 0,
    warc_length    INTEGER NOT NULL DEFAULT 0,
    title          TEXT    NOT NULL DEFAULT '',
    byline         TEXT    NOT NULL DEFAULT '',
    published      TEXT    NOT NULL DEFAULT '',
    excerpt        TEXT    NOT NULL DEFAULT '',
    language       TEXT    NOT NULL DEFAULT '',
    words          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX snapshots_link_time ON snapshots (link_id, captured_at);
CREATE INDEX snapshots_digest ON snapshots (payload_digest);
