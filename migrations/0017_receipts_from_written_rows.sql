-- Issue 15: a webhook batch queues its receipts from the ledger rows it has just written
-- (INSERT … RETURNING), instead of reading the ledger again for each event's payment rows.
-- That second read was planned once per connection, while the ledger was still empty
-- (a campaign's first minutes, or the benchmark's fresh database), as a scan of the
-- whole table; the plan stayed until the next ANALYZE, and each batch read every entry:
-- 3.4 ms a batch at 22,000 entries (docs/benchmarks.md, "Round five"). What is queued is
-- unchanged: the payment rows that carry the event's id.
--
-- Otherwise this is migration 0015's pledged_write_stripe_effects, whose comments say
-- what the caller has prepared.
CREATE OR REPLACE FUNCTION pledged_write_stripe_effects(
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
        -- The receipts come from the rows this statement wrote (RETURNING), not from a
        -- second read of the ledger: an event's payment rows are the ones carrying its id,
        -- and a repeat's settled row keeps the id of the event that first wrote it.
        WITH written AS (
            INSERT INTO ledger_entries AS l (campaign_id, pledge_id, kind, amount, currency, donor_key,
                                             stripe_object_id, stripe_event_id, occurred_at)
            SELECT m.campaign, m.pledge, m.kind, m.amount, m.currency, NULLIF(m.donor_key, ''), m.object, m.event,
                   to_timestamp(m.occurred)
            FROM unnest(m_campaigns, m_pledges, m_kinds, m_amounts, m_currencies, m_donor_keys, m_objects, m_events,
                        m_occurred) AS m(campaign, pledge, kind, amount, currency, donor_key, object, event, occurred)
            ON CONFLICT (kind, stripe_object_id) DO UPDATE SET
                amount = least(l.amount, excluded.amount),
                occurred_at = least(l.occurred_at, excluded.occurred_at)
            WHERE excluded.amount < l.amount OR excluded.occurred_at < l.occurred_at
            RETURNING l.id, l.campaign_id, l.pledge_id, l.kind, l.amount, l.currency, l.stripe_event_id, l.occurred_at)
        INSERT INTO email_outbox (kind, movement, ledger_entry_id, recipient, donor_name, campaign_title, amount,
                                  currency, occurred_at)
        SELECT 'receipt', w.id::text, w.id, p.donor_email, coalesce(p.donor_name, ''), c.title, w.amount,
               w.currency, w.occurred_at
        FROM written w
        JOIN unnest(e_pledges, e_events, e_receipts) AS e(pledge_id, event_id, wanted)
          ON e.pledge_id = w.pledge_id AND e.event_id = w.stripe_event_id AND e.wanted
        JOIN pledges p ON p.id = w.pledge_id JOIN campaigns c ON c.id = w.campaign_id
        WHERE w.kind = 'payment'
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
