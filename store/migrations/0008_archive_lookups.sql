-- Schema version 8: the cache of public-archive lookups.
--
-- One row per URL: when the public archives were last asked, whether they
-- hold a copy (and which), or why asking failed. The application layer asks
-- about dead links after a run's checks and not again within
-- archive.external.refresh; a failed lookup (error <> '') is asked again
-- by the next run. links.archive_* (version 7) keep the answer reports read.
CREATE TABLE archive_lookups (
    url       TEXT PRIMARY KEY,
    asked_at  TEXT NOT NULL,
    found     INTEGER NOT NULL DEFAULT 0,
    copy_url  TEXT NOT NULL DEFAULT '',
    copy_time TEXT,
    source    TEXT NOT NULL DEFAULT '',
    error     TEXT NOT NULL DEFAULT ''
);

-- Answers recorded before this version.
INSERT INTO archive_lookups (url, asked_at, found, copy_url, copy_time, source)
SELECT url, archive_checked, archive_url <> '', archive_url, archive_time, archive_source
FROM links WHERE archive_checked IS NOT NULL;
