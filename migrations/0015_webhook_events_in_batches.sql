-- Issue 15: Stripe events that arrive together are stored and applied together, in one
-- transaction of a few statements (webhooks/src/db/event_batch.cpp), instead of one
-- transaction each. On the 2-core machine the database spent most of an event's time
-- starting and ending statements and transactions, not writing rows
-- (docs/benchmarks.md, "Round four of the webhooks").
--
-- 1. The pledge a Stripe event's references lead to, strongest first, without locking
--    it: a batch looks up every event's pledge first, then locks them all in one
--    statement in the order of their ids, so two batches never wait for each other
--    crosswise. The ranking is migration 0014's, which pledged_lock_stripe_pledge now
--    takes from here.
CREATE FUNCTION pledged_find_stripe_pledge(p_pledge_ids text[], p_stripe_ids text[])
RETURNS text LANGUAGE plpgsql STABLE AS $$
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
    RETURN v_id;
END
$$;

CREATE OR REPLACE FUNCTION pledged_lock_stripe_pledge(p_pledge_ids text[], p_stripe_ids text[])
RETURNS TABLE (id text, campaign_id bigint, frequency text, currency text, status text, donor_key text,
               charged bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_id text := pledged_find_stripe_pledge(p_pledge_ids, p_stripe_ids);
BEGIN
    IF v_id IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('pledged.notify_after_commit', 'on', true);
    RETURN QUERY
        SELECT p.id, p.campaign_id, p.frequency, p.currency, p.status, lower(p.donor_email), p.charged
        FROM pledges p WHERE p.id = v_id FOR UPDATE;
END
$$;

-- 2. What several events do to their pledges (one event per pledge), written with one
--    statement per table instead of one per event: migration 0014's
--    pledged_write_stripe_effect for many at once, which it replaces (one event is a
--    batch of one). The caller (webhooks/src/db/stripe_effect_repository.cpp) has
--    already, in C++:
--    - sorted the links by Stripe id (a fixed order keeps two transactions from taking
--      the same keys crosswise);
--    - merged movements that share a ledger key (kind, Stripe object) the way a repeat
--      settles a row: the smallest signed amount, the earliest time, the first event's
--      pledge and id. One INSERT … ON CONFLICT DO UPDATE may not touch a row twice;
--    - decided, per event, whether it queues receipts (its payment rows; a repeat only
--      settles a row, so it has none) and a refund notice (keyed by the refunded total).
--    Each statement runs only when some event needs it.
CREATE FUNCTION pledged_write_stripe_effects(
    e_pledges text[], e_payment_intents text[], e_subscriptions text[], e_customers text[], e_statuses text[],
    e_events text[], e_receipts boolean[], e_refund_notices boolean[],
    l_ids text[], l_pledges text[],
    m_pledges text[], m_campaigns bigint[], m_donor_keys text[], m_kinds text[], m_amounts bigint[],
    m_currencies text[], m_objects text[], m_events text[], m_occurred bigint[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- The webhook path announces the money it writes after its commit (ProgressAnnouncer):
    -- the ledger trigger's own NOTIFY would make every commit wait for the one notify lock.
    PERFORM set_config('pledged.notify_after_commit', 'on', true);
    IF cardinality(l_ids) > 0 THEN
        INSERT INTO stripe_links (stripe_id, pledge_id) SELECT * FROM unnest(l_ids, l_pledges) ON CONFLICT DO NOTHING;
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(e_payment_intents, e_subscriptions, e_customers, e_statuses) AS e(pi, sub, cus, st)
               WHERE e.pi <> '' OR e.sub <> '' OR e.cus <> '' OR e.st <> '') THEN
        UPDATE pledges p SET
            -- CASE, not AND: an id the event does not carry costs no index read. The Stripe
            -- id columns are unique: an id already another pledge's is not taken.
            stripe_payment_intent_id = coalesce(p.stripe_payment_intent_id, CASE WHEN e.pi <> '' THEN
                (SELECT e.pi WHERE NOT EXISTS (SELECT 1 FROM pledges q WHERE q.stripe_payment_intent_id = e.pi)) END),
            stripe_subscription_id = coalesce(p.stripe_subscription_id, CASE WHEN e.sub <> '' THEN
                (SELECT e.sub WHERE NOT EXISTS (SELECT 1 FROM pledges q WHERE q.stripe_subscription_id = e.sub)) END),
            stripe_customer_id = coalesce(p.stripe_customer_id, NULLIF(e.cus, '')),
            status = coalesce(NULLIF(e.st, ''), p.status),
            updated_at = now()
        FROM unnest(e_pledges, e_payment_intents, e_subscriptions, e_customers, e_statuses) AS e(pledge_id, pi, sub, cus, st)
        WHERE p.id = e.pledge_id
          AND (e.st <> '' OR (p.stripe_payment_intent_id IS NULL AND e.pi <> '')
               OR (p.stripe_subscription_id IS NULL AND e.sub <> '')
               OR (p.stripe_customer_id IS NULL AND e.cus <> ''));
    END IF;

    IF cardinality(m_kinds) > 0 THEN
        INSERT INTO ledger_entries AS l (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id,
                                         stripe_event_id, occurred_at)
        SELECT m.campaign, m.pledge, m.kind, m.amount, m.currency, NULLIF(m.donor_key, ''), m.object, m.event,
               to_timestamp(m.occurred)
        FROM unnest(m_campaigns, m_pledges, m_kinds, m_amounts, m_currencies, m_donor_keys, m_objects, m_events,
                    m_occurred) AS m(campaign, pledge, kind, amount, currency, donor_key, object, event, occurred)
        ON CONFLICT (kind, stripe_object_id) DO UPDATE SET
            amount = least(l.amount, excluded.amount),
            occurred_at = least(l.occurred_at, excluded.occurred_at)
        WHERE excluded.amount < l.amount OR excluded.occurred_at < l.occurred_at;
    END IF;

    IF true = ANY(e_receipts) THEN
        INSERT INTO email_outbox (kind, movement, ledger_entry_id, recipient, donor_name, campaign_title, amount,
                                  currency, occurred_at)
        SELECT 'receipt', l.id::text, l.id, p.donor_email, coalesce(p.donor_name, ''), c.title, l.amount,
               l.currency, l.occurred_at
        FROM unnest(e_pledges, e_events, e_receipts) AS e(pledge_id, event_id, wanted)
        -- Each event's own rows through (pledge_id, kind), whatever the statistics of a
        -- ledger growing by thousands of rows a second say: OFFSET 0 keeps the planner from
        -- turning the lateral read into a join of its choice (it chose to read every payment
        -- row of the campaign, 7 ms a batch).
        CROSS JOIN LATERAL (SELECT * FROM ledger_entries l WHERE l.pledge_id = e.pledge_id AND l.kind = 'payment'
                            AND l.stripe_event_id = e.event_id OFFSET 0) l
        JOIN pledges p ON p.id = l.pledge_id JOIN campaigns c ON c.id = l.campaign_id
        WHERE e.wanted
        ON CONFLICT (movement, kind) DO NOTHING;
    END IF;
    IF true = ANY(e_refund_notices) THEN
        INSERT INTO email_outbox (kind, movement, ledger_entry_id, recipient, donor_name, campaign_title, amount,
                                  currency, occurred_at)
        SELECT 'refund_notice', 'pledge:' || p.id || ':refunded:' || t.currency || ':' || t.total, NULL,
               p.donor_email, coalesce(p.donor_name, ''), c.title, t.total, t.currency, t.last_at
        FROM (SELECT l.pledge_id, l.currency, -sum(l.amount) AS total, max(l.occurred_at) AS last_at
              FROM unnest(e_pledges, e_refund_notices) AS e(pledge_id, wanted)
              CROSS JOIN LATERAL (SELECT * FROM ledger_entries l WHERE l.pledge_id = e.pledge_id
                                  AND l.kind IN ('refund', 'refund_reversal') OFFSET 0) l
              WHERE e.wanted GROUP BY l.pledge_id, l.currency) t
        JOIN pledges p ON p.id = t.pledge_id JOIN campaigns c ON c.id = p.campaign_id
        WHERE t.total > 0
        ON CONFLICT (movement, kind) DO NOTHING;
    END IF;
END
$$;

DROP FUNCTION pledged_write_stripe_effect(text, bigint, text, text[], text, text, text, text, text[], bigint[],
                                          text[], text[], text, bigint, boolean);
