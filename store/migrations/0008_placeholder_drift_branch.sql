-- PLACEHOLDER, to be deleted at merge: schema version 8 belongs to another
-- branch, which was not merged when the drift branch (0009_drift.sql) was
-- written; migrations must run without gaps, so this empty step stands in
-- for it. Delete this file when the real 0008 arrives.
SELECT 1;
