-- Schema version 6: the shared queue's writes made cheaper.
--
-- links_lease indexed lease_until, which no statement reads through (Claim
-- and Remaining test it on rows found by next_check; ReleaseAll goes by
-- claimed_by, once per worker and run). It only made every Claim,
-- Extend and Complete write a new entry in each of the links' indexes
-- (an update of an indexed column is never a heap-only one).
DROP INDEX links_lease;

-- A host slot taken with fewer statements and locks.
--
-- Version 4 ran five statements per request a worker makes, two of them
-- inserts that almost always found their row (the host's pace row and
-- its slot rows, created by the host's first request), and serialized
-- every request to a host on its pace row even with no per-host interval.
-- Now:
--   * the pace row is read, and created only when missing, and only when
--     there is an interval to keep: it is then still the per-host mutex
--     that orders request starts interval apart;
--   * a free slot is taken with FOR UPDATE SKIP LOCKED. Two workers never
--     take one slot: a row another transaction holds is skipped, and a row
--     whose lease a transaction committed after this statement's snapshot
--     is re-read under the lock and no longer passes as free;
--   * the slot rows are created only when no slot was free (the host's
--     first request, or a larger limit), and the take is tried again.
-- Returns, as before, the slot taken (o_wait_us 0), or o_slot -1 and how
-- many microseconds to wait before asking again.
CREATE OR REPLACE FUNCTION linkrot_acquire_host_slot(p_host text, p_holder text, p_limit integer,
        p_interval interval, p_lease interval, OUT o_slot integer, OUT o_wait_us bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_next timestamptz;
BEGIN
    o_slot := -1;
    o_wait_us := 0;
    IF p_interval > interval '0' THEN
        SELECT next_at INTO v_next FROM host_pace WHERE host = p_host FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO host_pace (host, next_at) VALUES (p_host, '1970-01-01T00:00:00Z')
                ON CONFLICT (host) DO NOTHING;
            SELECT next_at INTO v_next FROM host_pace WHERE host = p_host FOR UPDATE;
        END IF;
        o_wait_us := GREATEST(0, EXTRACT(EPOCH FROM v_next - clock_timestamp()) * 1e6)::bigint;
        IF o_wait_us > 0 THEN
            RETURN;
        END IF;
    END IF;
    FOR attempt IN 1..2 LOOP
        UPDATE host_slots hs SET holder = p_holder, lease_until = clock_timestamp() + p_lease
            WHERE hs.host = p_host AND hs.slot = (SELECT h.slot FROM host_slots h
                WHERE h.host = p_host AND h.slot < p_limit
                    AND (h.lease_until IS NULL OR h.lease_until < clock_timestamp())
                ORDER BY h.slot LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING hs.slot INTO o_slot;
        EXIT WHEN o_slot IS NOT NULL OR attempt = 2;
        INSERT INTO host_slots (host, slot)
            SELECT p_host, g FROM generate_series(0, p_limit - 1) AS g
            ON CONFLICT (host, slot) DO NOTHING;
        EXIT WHEN NOT FOUND; -- every slot exists and is busy
    END LOOP;
    IF o_slot IS NULL THEN
        -- All slots busy: callers poll at a short interval.
        o_slot := -1;
        o_wait_us := 10000;
        RETURN;
    END IF;
    IF p_interval > interval '0' THEN
        UPDATE host_pace SET next_at = clock_timestamp() + p_interval WHERE host = p_host;
    END IF;
END
$$;
