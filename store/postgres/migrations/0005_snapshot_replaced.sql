-- Schema version 5: mirrors SQLite migration 0011. A copy captured from a
-- page the content verdict found replaced (parked domain, login wall, home
-- page after a redirect) keeps the reason here and is never the latest
-- good copy; '' for every other copy.
ALTER TABLE snapshots ADD COLUMN replaced text NOT NULL DEFAULT '';
