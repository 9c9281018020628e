-- Schema version 3: what checking needs in checks and runs.
--
-- checks.evidence holds a JSON array of strings (0001 described it as an
-- object, but nothing wrote it before this version).
--
-- pending = 1 marks a check whose state change is deferred to the end of
-- its run (the network_down rule, DESIGN.md): it is history, but it has
-- not touched its link. The run then either applies it (pending = 0 and
-- the link updated) or judges the network down (class rewritten to
-- network_down, pending = 0, link untouched). A run that died in between
-- leaves its checks pending for good, which is the truth: they never
-- counted.

ALTER TABLE checks ADD COLUMN method   TEXT    NOT NULL DEFAULT ''; -- HEAD, GET
ALTER TABLE checks ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;  -- requests made, retries included
ALTER TABLE checks ADD COLUMN pending  INTEGER NOT NULL DEFAULT 0;

-- Few rows are pending at any time, so a partial index keeps the end of a
-- run from scanning every check ever made.
CREATE INDEX checks_pending ON checks (run_id, id) WHERE pending = 1;

-- DueLinks finds due links with one range of links_next_check, which NULL
-- would fall outside of. linkrot always set next_check (a new link is due
-- at first_seen); this only repairs rows written by other means.
UPDATE links SET next_check = first_seen WHERE next_check IS NULL;

-- What started the run: "run" (cron or the scheduler), "check" (by hand),
-- whatever the caller names; free text.
ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT '';
-- runs.status gains "network_down": the run finished, but its checks were
-- judged to be the checker's own outage.
CREATE INDEX runs_started ON runs (started_at);
