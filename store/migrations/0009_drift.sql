-- Schema version 9: content drift (issue 15).
--
-- One row per check that judged a page's content: how similar the page's
-- readable text was to the reference copy (the snapshot nearest before
-- the citation, else the first), and whether it drifted or was replaced.
-- A side table keyed by the check, so the checks table and the code that
-- writes it stay as they are; a check that read no HTML body has no row.
--
-- link_id and checked_at repeat the check's, so the latest verdict of a
-- link and its history (for a chart) come from one index.
-- similarity is NULL when there was no reference text to compare with.
-- drifted and replaced are 0/1 and never both 1: a replaced page is only
-- replaced. replaced_reason is a stable snake_case name (drift.Reason):
-- parked, domain_expired, suspended, login_wall, redirect_to_home,
-- redirect_to_parent, other_site, stub.
CREATE TABLE check_drift (
    check_id              INTEGER PRIMARY KEY REFERENCES checks (id),
    link_id               INTEGER NOT NULL REFERENCES links (id),
    checked_at            TEXT    NOT NULL,
    similarity            REAL,
    drifted               INTEGER NOT NULL DEFAULT 0,
    replaced              INTEGER NOT NULL DEFAULT 0,
    replaced_reason       TEXT    NOT NULL DEFAULT '',
    evidence              TEXT    NOT NULL DEFAULT '',
    reference_snapshot_id INTEGER REFERENCES snapshots (id)
);
CREATE INDEX check_drift_link_time ON check_drift (link_id, checked_at);
