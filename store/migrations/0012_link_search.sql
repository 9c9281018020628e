-- Schema version 12: a trigram index on link URLs (issue 17 item 6).
--
-- LinkPage's search is a substring match (LIKE '%q%'), which no b-tree
-- index can answer: a search matching few or no URLs read every URL of
-- the catalog (0.6 s on a million links). An FTS5 trigram index finds the
-- candidate links of a query of three or more characters from the index;
-- LinkPage keeps the LIKE as well, so the results stay exactly the same.
--
-- External content (content='links'): the index stores no second copy of
-- the URLs. The triggers keep it in step with links; 'rebuild' indexes
-- the links a catalog already has.
CREATE VIRTUAL TABLE links_search USING fts5(url, tokenize = 'trigram', content = 'links', content_rowid = 'id');

CREATE TRIGGER links_search_insert AFTER INSERT ON links BEGIN
	INSERT INTO links_search (rowid, url) VALUES (new.id, new.url);
END;

CREATE TRIGGER links_search_delete AFTER DELETE ON links BEGIN
	INSERT INTO links_search (links_search, rowid, url) VALUES ('delete', old.id, old.url);
END;

CREATE TRIGGER links_search_update AFTER UPDATE OF id, url ON links BEGIN
	INSERT INTO links_search (links_search, rowid, url) VALUES ('delete', old.id, old.url);
	INSERT INTO links_search (rowid, url) VALUES (new.id, new.url);
END;

INSERT INTO links_search (links_search) VALUES ('rebuild');
