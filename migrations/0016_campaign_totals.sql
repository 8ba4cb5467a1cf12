-- The banner's totals, kept up to date as the ledger changes, instead of added up from
-- the whole ledger on every refresh. Under a stream of gifts every instance refreshes
-- its banner a few times a second, and the full sum (with its count of distinct donors,
-- a sort of every gift) grew with the ledger: 31 ms a refresh at 38,000 entries, a tenth
-- of the 2-core machine while the webhooks ran (docs/benchmarks.md, "Round five").
--
-- The totals are exactly what the old query of src/db/progress_repository.cpp added up
-- (kept below as pledged_campaign_totals_from_ledger; tests/integration/
-- campaign_totals_test.cpp compares the two):
-- raised = sum of every signed entry; gifts = payments and offline gifts; donors = the
-- distinct donor keys among those, an entry without a key being a donor of its own.
-- `last_recorded` only ever moves forward: a refund that removes the latest entry
-- changes the numbers too, so the banner's as_of moves to its time.

-- A campaign's totals are split over a few rows (shards), so that transactions writing
-- gifts at the same time each add to a row of their own and never wait for another's
-- commit: a counter row shared by every webhook batch would make them take turns.
CREATE TABLE campaign_totals (
    campaign_id   bigint      NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    shard         integer     NOT NULL,
    raised        bigint      NOT NULL,
    gifts         bigint      NOT NULL,
    donors        bigint      NOT NULL,
    last_recorded timestamptz,
    PRIMARY KEY (campaign_id, shard)
);

-- How many gifts each keyed donor has in a campaign: the donor count changes when one
-- goes from 0 to more or back. Rows at 0 stay (a later gift finds its row). No check
-- that a count stays positive: a refund must never fail over the banner's arithmetic.
CREATE TABLE campaign_donor_gifts (
    campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    donor_key   text   NOT NULL,
    gifts       bigint NOT NULL,
    PRIMARY KEY (campaign_id, donor_key)
);

-- The definition: the totals added up from the ledger itself.
CREATE FUNCTION pledged_campaign_totals_from_ledger()
RETURNS TABLE (campaign_id bigint, raised bigint, gifts bigint, donors bigint, last_recorded timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT l.campaign_id, sum(l.amount)::bigint,
           count(*) FILTER (WHERE l.kind IN ('payment', 'offline_gift')),
           count(DISTINCT coalesce(l.donor_key, 'entry:' || l.id)) FILTER (WHERE l.kind IN ('payment', 'offline_gift')),
           max(l.recorded_at)
    FROM ledger_entries l GROUP BY l.campaign_id
$$;

-- Adds one statement's change to one of the campaign's shards: one that no other open
-- transaction holds (SKIP LOCKED), or else a new one named after this backend, which no
-- concurrent transaction picks for a new row (a backend runs one transaction at a time).
CREATE FUNCTION pledged_add_to_campaign_totals(p_campaign bigint, p_raised bigint, p_gifts bigint, p_donors bigint,
                                               p_last timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_shard integer;
BEGIN
    SELECT t.shard INTO v_shard FROM campaign_totals t WHERE t.campaign_id = p_campaign
    ORDER BY t.shard FOR UPDATE SKIP LOCKED LIMIT 1;
    INSERT INTO campaign_totals AS t (campaign_id, shard, raised, gifts, donors, last_recorded)
    VALUES (p_campaign, coalesce(v_shard, pg_backend_pid()), p_raised, p_gifts, p_donors, p_last)
    ON CONFLICT (campaign_id, shard) DO UPDATE SET
        raised = t.raised + excluded.raised,
        gifts = t.gifts + excluded.gifts,
        donors = t.donors + excluded.donors,
        last_recorded = greatest(t.last_recorded, excluded.last_recorded);
END
$$;

-- One statement's entries leaving (p_sign = -1) or arriving (+1), as arrays (a trigger's
-- transition table is visible in its own function only): their sums, and the keyed
-- donors whose gift count leaves or reaches 0. Donor rows are taken in key order, so
-- two transactions never lock the same donors crosswise within a statement.
CREATE FUNCTION pledged_count_ledger_change(p_sign integer, p_campaigns bigint[], p_kinds text[], p_amounts bigint[],
                                            p_donor_keys text[], p_recorded timestamptz[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v record;
BEGIN
    FOR v IN
        WITH changed AS (
            SELECT * FROM unnest(p_campaigns, p_kinds, p_amounts, p_donor_keys, p_recorded)
                AS e(campaign_id, kind, amount, donor_key, recorded_at)),
        keyed AS (
            SELECT e.campaign_id, e.donor_key, count(*) AS n FROM changed e
            WHERE e.kind IN ('payment', 'offline_gift') AND e.donor_key IS NOT NULL
            GROUP BY e.campaign_id, e.donor_key ORDER BY e.campaign_id, e.donor_key),
        counted AS (
            INSERT INTO campaign_donor_gifts AS g (campaign_id, donor_key, gifts)
            SELECT k.campaign_id, k.donor_key, p_sign * k.n FROM keyed k
            ORDER BY k.campaign_id, k.donor_key
            ON CONFLICT (campaign_id, donor_key) DO UPDATE SET gifts = g.gifts + excluded.gifts
            RETURNING g.campaign_id, g.donor_key, g.gifts),
        -- A donor arrives when their count became exactly this statement's gifts (it was
        -- 0), and leaves when it became 0.
        donors AS (
            SELECT c.campaign_id, count(*) AS n FROM counted c JOIN keyed k USING (campaign_id, donor_key)
            WHERE (p_sign > 0 AND c.gifts = k.n) OR (p_sign < 0 AND c.gifts = 0)
            GROUP BY c.campaign_id),
        sums AS (
            SELECT e.campaign_id, sum(e.amount)::bigint AS raised,
                   count(*) FILTER (WHERE e.kind IN ('payment', 'offline_gift')) AS gifts,
                   count(*) FILTER (WHERE e.kind IN ('payment', 'offline_gift') AND e.donor_key IS NULL) AS unkeyed,
                   max(e.recorded_at) AS last_recorded
            FROM changed e GROUP BY e.campaign_id)
        SELECT s.campaign_id, s.raised, s.gifts, s.unkeyed + coalesce(d.n, 0) AS donors, s.last_recorded
        FROM sums s LEFT JOIN donors d USING (campaign_id) ORDER BY s.campaign_id
    LOOP
        -- Entries that leave move the time to now: the numbers changed then.
        PERFORM pledged_add_to_campaign_totals(v.campaign_id, p_sign * v.raised, p_sign * v.gifts, p_sign * v.donors,
                                               CASE WHEN p_sign > 0 THEN v.last_recorded ELSE now() END);
    END LOOP;
END
$$;

-- One trigger function for the three kinds of change: an insert's rows arrive, a
-- delete's rows leave, and an update (a repeat settling an entry's amount or time) is its
-- old rows leaving and its new ones arriving, unless it changed nothing that is counted.
-- Each trigger names only its own transition tables; PL/pgSQL plans a statement when it
-- first runs, so the branches of the other kinds never touch a name that is missing.
CREATE FUNCTION ledger_entries_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN  -- nested, not AND: an insert's trigger has no old_entries
        IF NOT EXISTS (SELECT 1 FROM old_entries o FULL JOIN new_entries n USING (id)
                       WHERE (o.campaign_id, o.kind, o.amount, o.donor_key) IS DISTINCT FROM
                             (n.campaign_id, n.kind, n.amount, n.donor_key)) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pledged_count_ledger_change(-1, array_agg(campaign_id), array_agg(kind), array_agg(amount),
                                            array_agg(donor_key), array_agg(recorded_at))
        FROM old_entries HAVING count(*) > 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- An updated entry changed the numbers now, not when it was first recorded.
        PERFORM pledged_count_ledger_change(1, array_agg(campaign_id), array_agg(kind), array_agg(amount),
                                            array_agg(donor_key),
                                            array_agg(CASE WHEN TG_OP = 'INSERT' THEN recorded_at ELSE now() END))
        FROM new_entries HAVING count(*) > 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION ledger_entries_count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaign_totals SET raised = 0, gifts = 0, donors = 0, last_recorded = now();
    UPDATE campaign_donor_gifts SET gifts = 0 WHERE gifts <> 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_entries_count_inserted AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_count_change();
CREATE TRIGGER ledger_entries_count_deleted AFTER DELETE ON ledger_entries
    REFERENCING OLD TABLE AS old_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_count_change();
CREATE TRIGGER ledger_entries_count_updated AFTER UPDATE ON ledger_entries
    REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_count_change();
CREATE TRIGGER ledger_entries_count_truncated AFTER TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_count_truncated();

-- Starts the totals afresh from the ledger, with writers held off meanwhile: this
-- migration, and a repair should the two ever disagree.
CREATE FUNCTION pledged_rebuild_campaign_totals() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE ledger_entries IN SHARE MODE;
    DELETE FROM campaign_totals;
    DELETE FROM campaign_donor_gifts;
    INSERT INTO campaign_totals (campaign_id, shard, raised, gifts, donors, last_recorded)
    SELECT t.campaign_id, 0, t.raised, t.gifts, t.donors, t.last_recorded FROM pledged_campaign_totals_from_ledger() t;
    INSERT INTO campaign_donor_gifts (campaign_id, donor_key, gifts)
    SELECT l.campaign_id, l.donor_key, count(*) FROM ledger_entries l
    WHERE l.kind IN ('payment', 'offline_gift') AND l.donor_key IS NOT NULL
    GROUP BY l.campaign_id, l.donor_key;
END
$$;

SELECT pledged_rebuild_campaign_totals();
