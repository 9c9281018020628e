-- Schema version 7: what reports need.
--
-- Each check records the transition it made: the link's state just before
-- it was applied and the state it left. A report finds what died in a run
-- ("newly dead": state_after = 'dead' and state_before <> 'dead") and what
-- came back ("recovered") from the run's own checks, without replaying the
-- state machine over the history. '' in both means the check changed no
-- state: history only, still pending, rewritten as network_down, or
-- recorded before this version.
ALTER TABLE checks ADD COLUMN state_before TEXT NOT NULL DEFAULT '';
ALTER TABLE checks ADD COLUMN state_after  TEXT NOT NULL DEFAULT '';

-- The state a link had at the end of an older run is the state_after of
-- its last transition up to then. Checks recorded before this version have
-- none, so the last check of each link that can have set its state (not
-- pending, not network_down) is given the link's present state, which it
-- set; the earlier ones stay unknown ('').
UPDATE checks SET state_after = (SELECT l.state FROM links l WHERE l.id = checks.link_id)
WHERE id IN (SELECT max(id) FROM checks WHERE pending = 0 AND class <> 'network_down' GROUP BY link_id);

-- The copy of a link in a public web archive, when one was asked for
-- (reports.AttachArchiveCopies asks for newly dead links). archive_checked
-- is when the archives were asked: NULL never asked; set with an empty
-- archive_url, they answered that they hold no usable copy, which is not
-- asked again.
ALTER TABLE links ADD COLUMN archive_url     TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN archive_time    TEXT;                     -- when the archive captured it
ALTER TABLE links ADD COLUMN archive_source  TEXT NOT NULL DEFAULT ''; -- "wayback", "memento:<host>"
ALTER TABLE links ADD COLUMN archive_checked TEXT;
