-- Schema version 6: what the archive needs in snapshots (the table itself
-- is from version 1 and was never written before this version).
--
-- payload_digest is "sha256:<hex>" of the response body as stored (after
-- content decoding); it is what deduplication compares, so the index from
-- version 1 stays. content_hash is what change detection compares: the
-- hash of the readable text for HTML, of the payload otherwise. Two
-- captures whose raw bytes differ only in ads or timestamps have the same
-- content_hash and are not captured twice.

ALTER TABLE snapshots ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN site_name    TEXT NOT NULL DEFAULT '';

-- Where the capture's WARC records are. warc_offset/warc_length (version 1)
-- locate the response or revisit record; the request record is stored
-- apart so that no order of records is assumed. warc_type is "response",
-- "revisit", or '' when the capture wrote no WARC (warc not in
-- archive.formats). warc_record_id is the response's WARC-Record-ID, which
-- a later revisit record of the same payload refers to.
ALTER TABLE snapshots ADD COLUMN warc_type           TEXT    NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN warc_record_id      TEXT    NOT NULL DEFAULT '';
ALTER TABLE snapshots ADD COLUMN warc_request_offset INTEGER NOT NULL DEFAULT 0;
ALTER TABLE snapshots ADD COLUMN warc_request_length INTEGER NOT NULL DEFAULT 0;

-- "Seen unchanged": a check that found the same content as the latest
-- snapshot stores nothing new but moves last_seen forward and counts the
-- sighting, so a copy can say how long the page stayed as it was. NULL
-- last_seen reads as captured_at; seen_count counts the capture itself.
ALTER TABLE snapshots ADD COLUMN last_seen  TEXT;
ALTER TABLE snapshots ADD COLUMN seen_count INTEGER NOT NULL DEFAULT 1;
