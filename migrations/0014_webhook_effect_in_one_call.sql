-- Issue 15: an applied Stripe event's pledge found with the fewest index reads, its
-- writes in one round trip, and one index for a pledge's ledger rows by kind.
--
-- 1. (pledge_id, kind) on ledger_entries. Every money-moving event queues its receipt by
--    reading its pledge's payment rows. With only (pledge_id) and the unique
--    (kind, stripe_object_id) to choose from, and statistics that lag behind a ledger
--    growing by hundreds of rows a second, the planner ANDed both bitmaps: a scan of
--    every payment row on the ledger for each event, so each event cost more than the
--    one before. (pledge_id, kind) answers those reads from the pledge's own few rows,
--    whatever the statistics say, and serves every read by pledge_id alone.
CREATE INDEX ledger_entries_pledge_kind ON ledger_entries (pledge_id, kind);
DROP INDEX ledger_entries_pledge;

--    And one index fewer for every pledge's insert and each of its updates: no query
--    looks pledges up by lower(donor_email) (the donor key, migration 0013, is
--    lower(btrim(donor_email)) and has its own index).
DROP INDEX pledges_donor_email;

-- 2. The pledge a Stripe event's references lead to, strongest first: one of its pledge
--    ids (client_reference_id, metadata), then an id this pledge's earlier events carried
--    (stripe_links), then the ids stored at checkout; never the customer (API.md,
--    "Webhooks"). Locked FOR UPDATE, so the events of one pledge apply one at a time.
--    Strength by strength, not as one UNION sorted by strength: most events carry their
--    pledge's id, so one index read answers them, and each query is simple enough for a
--    plan made once per connection (the UNION was planned again for every event).
--    The set_config promises, for this transaction, that the webhook path announces the
--    money it writes after its commit (ProgressAnnouncer): the ledger trigger's own
--    NOTIFY would make every event's commit wait for PostgreSQL's one notify lock
--    (migration 0003). Every applying transaction finds its pledge first, so the promise
--    costs no statement of its own.
CREATE FUNCTION pledged_lock_stripe_pledge(p_pledge_ids text[], p_stripe_ids text[])
RETURNS TABLE (id text, campaign_id bigint, frequency text, currency text, status text, donor_key text,
               charged bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_id text;
BEGIN
    SELECT q.id INTO v_id FROM pledges q WHERE q.id = ANY(p_pledge_ids) LIMIT 1;
    IF v_id IS NULL THEN
        SELECT l.pledge_id INTO v_id FROM stripe_links l WHERE l.stripe_id = ANY(p_stripe_ids) LIMIT 1;
    END IF;
    IF v_id IS NULL THEN
        SELECT q.id INTO v_id FROM pledges q
        WHERE q.checkout_session_id = ANY(p_stripe_ids) OR q.stripe_payment_intent_id = ANY(p_stripe_ids)
           OR q.stripe_subscription_id = ANY(p_stripe_ids)
        LIMIT 1;
    END IF;
    IF v_id IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('pledged.notify_after_commit', 'on', true);
    RETURN QUERY
        SELECT p.id, p.campaign_id, p.frequency, p.currency, p.status, lower(p.donor_email), p.charged
        FROM pledges p WHERE p.id = v_id FOR UPDATE;
END
$$;

-- 3. What an event does to its pledge, computed in C++ (webhooks/src/event_handlers.cpp)
--    from the pledge locked FOR UPDATE earlier in the same transaction, written here in
--    one call instead of three statements, three round trips: on a 2-core machine the
--    database spent more of each event waking up for the next statement than running it
--    (docs/benchmarks.md). The caller (webhooks/src/db/stripe_effect_repository.cpp) is
--    the one place an event's money is written; the statements are those it sent before.
--
--    - p_links (sorted by the caller: a fixed order keeps two transactions from taking
--      the same keys crosswise) lead to this pledge from now on; the pledge's own Stripe
--      id columns are filled where still empty and not already another pledge's (they
--      are unique); p_status, when not '', is the status it advances to.
--    - Each movement i (p_kinds[i], p_amounts[i], p_currencies[i], p_object_ids[i]) is
--      inserted, or settles a repeat of it: the row keeps the smallest signed amount (a
--      cumulative refund's largest value; the same payment twice is one row) and the
--      earliest time, so the result does not depend on the order.
--    - p_queue_email queues the donor's receipt or refund notice with the money:
--      receipts for the payment rows this event inserted (a repeat only settles the
--      row), the refund notice keyed by the refunded total, not by a ledger row (one
--      refund may sit under its charge's id first and under its own id later). Each is
--      looked for only when the event's movements could have made one (a payment, a
--      refund), or when the call writes no movements (the email after an event's
--      refunds were recorded on their own).
CREATE FUNCTION pledged_write_stripe_effect(
    p_pledge_id text, p_campaign_id bigint, p_donor_key text,
    p_links text[], p_payment_intent text, p_subscription text, p_customer text, p_status text,
    p_kinds text[], p_amounts bigint[], p_currencies text[], p_object_ids text[],
    p_event_id text, p_occurred_at bigint, p_queue_email boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_email_only boolean := coalesce(cardinality(p_kinds), 0) = 0;
BEGIN
    IF cardinality(p_links) > 0 THEN
        INSERT INTO stripe_links (stripe_id, pledge_id) SELECT unnest(p_links), p_pledge_id ON CONFLICT DO NOTHING;
    END IF;
    IF p_status <> '' OR p_payment_intent <> '' OR p_subscription <> '' OR p_customer <> '' THEN
        UPDATE pledges p SET
            -- CASE, not AND: an id the event does not carry costs no index read.
            stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, CASE WHEN p_payment_intent <> '' THEN
                (SELECT p_payment_intent
                 WHERE NOT EXISTS (SELECT 1 FROM pledges q WHERE q.stripe_payment_intent_id = p_payment_intent)) END),
            stripe_subscription_id = coalesce(p.stripe_subscription_id, CASE WHEN p_subscription <> '' THEN
                (SELECT p_subscription
                 WHERE NOT EXISTS (SELECT 1 FROM pledges q WHERE q.stripe_subscription_id = p_subscription)) END),
            stripe_customer_id = coalesce(p.stripe_customer_id, NULLIF(p_customer, '')),
            status = coalesce(NULLIF(p_status, ''), p.status),
            updated_at = now()
        WHERE p.id = p_pledge_id
          AND (p_status <> '' OR (p.stripe_payment_intent_id IS NULL AND p_payment_intent <> '')
               OR (p.stripe_subscription_id IS NULL AND p_subscription <> '')
               OR (p.stripe_customer_id IS NULL AND p_customer <> ''));
    END IF;

    FOR i IN 1 .. coalesce(cardinality(p_kinds), 0) LOOP
        INSERT INTO ledger_entries AS l (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id,
                                         stripe_event_id, occurred_at)
        VALUES (p_campaign_id, p_pledge_id, p_kinds[i], p_amounts[i], p_currencies[i], NULLIF(p_donor_key, ''),
                p_object_ids[i], p_event_id, to_timestamp(p_occurred_at))
        ON CONFLICT (kind, stripe_object_id) DO UPDATE SET
            amount = least(l.amount, excluded.amount),
            occurred_at = least(l.occurred_at, excluded.occurred_at)
        WHERE excluded.amount < l.amount OR excluded.occurred_at < l.occurred_at;
    END LOOP;

    IF p_queue_email AND (v_email_only OR 'payment' = ANY(p_kinds)) THEN
        INSERT INTO email_outbox (kind, movement, ledger_entry_id, recipient, donor_name, campaign_title, amount,
                                  currency, occurred_at)
        SELECT 'receipt', l.id::text, l.id, p.donor_email, coalesce(p.donor_name, ''), c.title, l.amount,
               l.currency, l.occurred_at
        FROM ledger_entries l JOIN pledges p ON p.id = l.pledge_id JOIN campaigns c ON c.id = l.campaign_id
        WHERE l.pledge_id = p_pledge_id AND l.kind = 'payment' AND l.stripe_event_id = p_event_id
        ON CONFLICT (movement, kind) DO NOTHING;
    END IF;
    IF p_queue_email AND (v_email_only OR p_kinds && ARRAY['refund', 'refund_reversal']) THEN
        INSERT INTO email_outbox (kind, movement, ledger_entry_id, recipient, donor_name, campaign_title, amount,
                                  currency, occurred_at)
        SELECT 'refund_notice', 'pledge:' || p.id || ':refunded:' || t.currency || ':' || t.total, NULL,
               p.donor_email, coalesce(p.donor_name, ''), c.title, t.total, t.currency, t.last_at
        FROM (SELECT l.currency, -sum(l.amount) AS total, max(l.occurred_at) AS last_at FROM ledger_entries l
              WHERE l.pledge_id = p_pledge_id AND l.kind IN ('refund', 'refund_reversal') GROUP BY l.currency) t
        JOIN pledges p ON p.id = p_pledge_id JOIN campaigns c ON c.id = p.campaign_id
        WHERE t.total > 0
        ON CONFLICT (movement, kind) DO NOTHING;
    END IF;
END
$$;
