-- Schema version 5: repairs verified on the web.
--
-- When a doubtful repair is checked against the web and a URL adopted
-- (AdoptRepair), the occurrence moves to that URL and is marked verified.
-- The verdict is also kept in repair_verdicts, keyed by what extraction
-- produced (document, raw text, extracted URL), because rescanning an
-- edited document replaces its occurrences: SaveDocument applies the
-- verdict to the fresh occurrence, so the work is neither lost nor redone.

-- occurrences is rebuilt with the same columns (and two new ones) to add
-- AUTOINCREMENT: without it SQLite hands out the IDs of deleted rows
-- again, and since saving a document replaces its occurrences, an ID
-- taken from OccurrencesNeedingVerification could point at a different
-- occurrence by the time AdoptRepair uses it. With it, a replaced
-- occurrence's ID is gone for good and AdoptRepair reports ErrNotFound.
CREATE TABLE occurrences_v5 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    link_id       INTEGER NOT NULL REFERENCES links (id),
    start_offset  INTEGER NOT NULL DEFAULT 0,
    end_offset    INTEGER NOT NULL DEFAULT 0,
    line          INTEGER NOT NULL DEFAULT 0,
    col           INTEGER NOT NULL DEFAULT 0,
    raw           TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL DEFAULT 'cited',
    repaired      INTEGER NOT NULL DEFAULT 0,
    repairs       TEXT,
    confidence    REAL    NOT NULL DEFAULT 0,
    alternatives  TEXT,
    reasons       TEXT,
    verified_at   TEXT, -- NULL until verified
    extracted_url TEXT  -- the URL extraction gave, when a verdict replaced it
);
INSERT INTO occurrences_v5 (id, document_id, link_id, start_offset, end_offset, line, col, raw, role,
        repaired, repairs, confidence, alternatives, reasons)
    SELECT id, document_id, link_id, start_offset, end_offset, line, col, raw, role,
        repaired, repairs, confidence, alternatives, reasons
    FROM occurrences;
DROP TABLE occurrences;
ALTER TABLE occurrences_v5 RENAME TO occurrences;
CREATE INDEX occurrences_document ON occurrences (document_id);
CREATE INDEX occurrences_link ON occurrences (link_id);
-- The occurrences still to verify (store.VerifyBelow is this 0.6): few,
-- and looked for on every run.
CREATE INDEX occurrences_unverified ON occurrences (document_id)
    WHERE verified_at IS NULL AND (confidence < 0.6 OR alternatives IS NOT NULL);

CREATE TABLE repair_verdicts (
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    raw           TEXT    NOT NULL,
    extracted_url TEXT    NOT NULL,
    url           TEXT    NOT NULL, -- the URL adopted
    confidence    REAL    NOT NULL,
    alternatives  TEXT,             -- JSON array: URLs the occurrence held before, added to its alternatives
    reasons       TEXT,             -- JSON array: evidence appended to its reasons
    verified_at   TEXT    NOT NULL,
    PRIMARY KEY (document_id, raw, extracted_url)
);
