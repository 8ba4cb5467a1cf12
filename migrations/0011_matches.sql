-- Matching gifts (issue 18): a sponsor's promise to match gifts up to a cap. Only the
-- promise is stored; what it earned is never stored but derived from the ledger by
-- match_allocations() below, so the figure is the same in any order of events and
-- cannot pass the cap however many instances apply webhooks at once (DESIGN.md).
CREATE TABLE matches (
    id            text        PRIMARY KEY CHECK (id ~ '^mt_[0-9A-Za-z]{20,}$'),
    -- Creation order: how matches are listed, reported and picked for the banner.
    position      bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    campaign_id   bigint      NOT NULL REFERENCES campaigns (id),
    sponsor       text        NOT NULL CHECK (length(sponsor) BETWEEN 1 AND 200),
    -- The percent of a gift that is matched: 100 one to one, 200 two to one.
    ratio         integer     NOT NULL CHECK (ratio BETWEEN 1 AND 1000),
    cap           bigint      NOT NULL CHECK (cap > 0),
    per_gift_cap  bigint      CHECK (per_gift_cap > 0),
    currency      text        NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    -- Both included, as a campaign's own window.
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    applies_to    text        NOT NULL CHECK (applies_to IN ('once', 'first_monthly', 'all')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX matches_campaign ON matches (campaign_id, position);

-- A new match or a changed cap moves the banner like money does.
CREATE TRIGGER matches_notify AFTER INSERT OR UPDATE OR DELETE ON matches
    FOR EACH STATEMENT EXECUTE FUNCTION notify_progress_changed();

-- What each of a campaign's Stripe payments earned from each of its matches
-- (docs/counting.md, "Matching gifts"):
--   kept      = floor(amount × clamp(pledge net, 0, pledge gross) / pledge gross): a pledge's
--               refunds, lost disputes and their reversals, shared over its payments in
--               proportion to their amounts (for a one-time gift: the payment less its refunds);
--   earned    = min(floor(kept × ratio / 100), per_gift_cap), for a payment inside the match's
--               window that `applies_to` names (once: one-time pledges; first_monthly: a monthly
--               pledge's earliest installment; all: every payment);
--   allocated = what is left of the cap for it, the payments taken in the order they
--               occurred (ties by Stripe id): sum(allocated) = min(cap, sum(earned)).
-- Offline gifts are not matched (the sponsor matches what Stripe shows was received).
-- numeric and div() keep the products exact and round down: the sponsor never owes a
-- fraction of a minor unit.
CREATE FUNCTION match_allocations(p_campaign bigint)
RETURNS TABLE (match_id text, ledger_entry_id bigint, earned bigint, allocated bigint)
LANGUAGE sql STABLE AS $$
    WITH pledge_money AS (
        SELECT pledge_id,
               sum(amount) FILTER (WHERE kind = 'payment') AS gross,
               sum(amount) AS net
        FROM ledger_entries
        WHERE campaign_id = p_campaign AND pledge_id IS NOT NULL
        GROUP BY pledge_id
    ), payments AS (
        SELECT l.id, l.currency, l.occurred_at, l.stripe_object_id, p.frequency,
               row_number() OVER (PARTITION BY l.pledge_id ORDER BY l.occurred_at, l.stripe_object_id) = 1
                   AS first_of_pledge,
               div(l.amount::numeric * greatest(least(m.net, m.gross), 0), m.gross) AS kept
        FROM ledger_entries l
        JOIN pledges p ON p.id = l.pledge_id
        JOIN pledge_money m ON m.pledge_id = l.pledge_id
        WHERE l.campaign_id = p_campaign AND l.kind = 'payment'
    ), earnings AS (
        SELECT mt.id AS match_id, mt.cap, pm.id AS ledger_entry_id, pm.occurred_at, pm.stripe_object_id,
               least(div(pm.kept * mt.ratio, 100), mt.per_gift_cap) AS earned  -- least() skips a NULL cap
        FROM matches mt
        JOIN payments pm ON pm.occurred_at BETWEEN mt.starts_at AND mt.ends_at AND pm.currency = mt.currency
            AND (mt.applies_to = 'all'
                 OR (mt.applies_to = 'once' AND pm.frequency = 'once')
                 OR (mt.applies_to = 'first_monthly' AND pm.frequency = 'monthly' AND pm.first_of_pledge))
        WHERE mt.campaign_id = p_campaign
    )
    SELECT match_id, ledger_entry_id, earned::bigint,
           greatest(0, least(earned, cap - coalesce(sum(earned) OVER (
               PARTITION BY match_id ORDER BY occurred_at, stripe_object_id, ledger_entry_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)))::bigint
    FROM earnings
$$;
