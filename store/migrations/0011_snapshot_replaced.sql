-- Schema version 11: a copy of a page found replaced (issue 17 item 6).
--
-- When the check that captured a snapshot judged the page replaced by
-- something else (a parked domain, a login wall, a home page after a
-- redirect), replaced holds the reason (drift.Reason's name). The copy is
-- kept as evidence of what the link shows now, but it is not "good": the
-- latest good copy that restore, fix and the web UI offer by default
-- skips it, so a parking page never becomes the default copy of an
-- article. '' for every other copy.
ALTER TABLE snapshots ADD COLUMN replaced TEXT NOT NULL DEFAULT '';
