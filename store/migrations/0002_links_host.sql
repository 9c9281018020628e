-- Schema version 2: links by host, for LinkFilter.Host and for the
-- crawler's per-host scheduling.
CREATE INDEX links_host ON links (host, url);
