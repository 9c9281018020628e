-- Schema version 2: what several workers sharing one catalog need.
--
-- Queue leases live on links: a worker claims a batch of due links (FOR
-- UPDATE SKIP LOCKED) by writing its name and a lease end; another worker
-- takes a link whose lease has run out, which is how the links of a worker
-- that died are checked after all. Lease times are the database server's
-- clock (timestamptz, now()), never a worker's, so skewed clocks between
-- machines cannot make two workers hold one link.
ALTER TABLE links ADD COLUMN claimed_by  text NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN lease_until timestamptz;
-- The run whose check of the link is done (Complete). A check whose
-- state change waits for the end of its run (the network_down rule)
-- leaves the link due, so this, not next_check, is what keeps another
-- worker from checking it again in the same run.
ALTER TABLE links ADD COLUMN done_run    bigint;
CREATE INDEX links_lease ON links (lease_until) WHERE lease_until IS NOT NULL;

-- Per-host politeness across workers: a host has a number of slots
-- (its concurrency limit); a worker takes one before requesting, with a
-- lease so that a dead worker's slot frees itself, and gives it back with
-- the time the host may next be asked (the per-host interval).
CREATE TABLE host_slots (
    host        text COLLATE "C" NOT NULL,
    slot        integer NOT NULL,
    holder      text NOT NULL DEFAULT '',
    lease_until timestamptz,
    PRIMARY KEY (host, slot)
);
CREATE TABLE host_pace (
    host      text COLLATE "C" PRIMARY KEY,
    next_at   timestamptz NOT NULL
);

-- robots.txt and soft-404 probe answers, fetched by one worker and read by
-- the others until they expire.
CREATE TABLE probe_cache (
    kind       text COLLATE "C" NOT NULL, -- "robots", "soft404", ...
    key        text COLLATE "C" NOT NULL, -- origin or URL pattern
    value      bytea NOT NULL,
    fetched_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (kind, key)
);
