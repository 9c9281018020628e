-- Schema version 4: taking a host slot in one round trip.
--
-- AcquireHostSlot ran its steps as separate statements in one transaction
-- (seven round trips per request a worker makes), which made the host
-- gate most of the server's load in the workers benchmark. The same steps,
-- in the same order and with the same locks, as one function: each
-- statement in a volatile PL/pgSQL function takes a fresh snapshot, as
-- the statements of the transaction did.
--
-- Returns the slot taken (o_wait_us 0), or o_slot -1 and how many
-- microseconds to wait before asking again.
CREATE FUNCTION linkrot_acquire_host_slot(p_host text, p_holder text, p_limit integer,
        p_interval interval, p_lease interval, OUT o_slot integer, OUT o_wait_us bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- The host's pace row is the per-host mutex across workers.
    INSERT INTO host_pace (host, next_at) VALUES (p_host, '1970-01-01T00:00:00Z')
        ON CONFLICT (host) DO NOTHING;
    SELECT GREATEST(0, EXTRACT(EPOCH FROM next_at - clock_timestamp()) * 1e6)::bigint
        INTO o_wait_us FROM host_pace WHERE host = p_host FOR UPDATE;
    o_slot := -1;
    IF o_wait_us > 0 THEN
        RETURN;
    END IF;
    INSERT INTO host_slots (host, slot)
        SELECT p_host, g FROM generate_series(0, p_limit - 1) AS g
        ON CONFLICT (host, slot) DO NOTHING;
    UPDATE host_slots hs SET holder = p_holder, lease_until = clock_timestamp() + p_lease
        WHERE (hs.host, hs.slot) = (SELECT h.host, h.slot FROM host_slots h
            WHERE h.host = p_host AND h.slot < p_limit AND (h.lease_until IS NULL OR h.lease_until < clock_timestamp())
            ORDER BY h.slot LIMIT 1)
        RETURNING hs.slot INTO o_slot;
    IF o_slot IS NULL THEN
        -- All slots busy: callers poll at a short interval.
        o_slot := -1;
        o_wait_us := 10000;
        RETURN;
    END IF;
    UPDATE host_pace SET next_at = clock_timestamp() + p_interval WHERE host = p_host;
    o_wait_us := 0;
END
$$;
