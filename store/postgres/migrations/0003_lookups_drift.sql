-- Schema version 3: SQLite versions 8 to 10 (store/migrations/0008 to
-- 0010) in one step.
--
-- archive_lookups caches the public archives' answer (or failure) per URL;
-- an answer is also kept on links.archive_*, which reports read.
-- check_drift holds the content verdict of a check (issue 15), keyed by
-- the check, with the check's link and time repeated so a link's latest
-- verdict and its history come from one index. links_state_url serves a
-- page of links in one state in URL order (the UI's /links?state=dead).
-- Flags are boolean here, 0/1 in SQLite, as in version 1.
CREATE TABLE archive_lookups (
    url       text COLLATE "C" PRIMARY KEY,
    asked_at  text COLLATE "C" NOT NULL,
    found     boolean NOT NULL DEFAULT false,
    copy_url  text NOT NULL DEFAULT '',
    copy_time text COLLATE "C",
    source    text NOT NULL DEFAULT '',
    error     text NOT NULL DEFAULT ''
);

-- Answers recorded before this version (a catalog upgraded in place).
INSERT INTO archive_lookups (url, asked_at, found, copy_url, copy_time, source)
SELECT url, archive_checked, archive_url <> '', archive_url, archive_time, archive_source
FROM links WHERE archive_checked IS NOT NULL;

CREATE TABLE check_drift (
    check_id              bigint PRIMARY KEY REFERENCES checks (id),
    link_id               bigint NOT NULL REFERENCES links (id),
    checked_at            text COLLATE "C" NOT NULL,
    similarity            double precision,
    drifted               boolean NOT NULL DEFAULT false,
    replaced              boolean NOT NULL DEFAULT false,
    replaced_reason       text NOT NULL DEFAULT '',
    evidence              text NOT NULL DEFAULT '',
    reference_snapshot_id bigint REFERENCES snapshots (id)
);
CREATE INDEX check_drift_link_time ON check_drift (link_id, checked_at);

CREATE INDEX links_state_url ON links (state, url);
