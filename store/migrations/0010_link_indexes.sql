-- Schema version 10: a page of links in one state, in URL order (the UI's
-- /links?state=dead and `linkrot links --state`), read straight off an
-- index instead of sorting every link in the state. On a million links
-- this takes such a page from about half a second to milliseconds
-- (docs/benchmarks.md).
CREATE INDEX IF NOT EXISTS links_state_url ON links (state, url);
