-- Refunds one by one (issue 13, case 3). A charge's cumulative amount_refunded only
-- ever grew in the ledger, so a refund that failed or was canceled after it was counted
-- never came back, and a later partial refund took the first one's date. Each refund
-- Stripe names (re_…) is now kept with its own date and, once it failed or was
-- canceled, the time that was seen; the ledger rows of a charge's refunds are derived
-- from these (webhooks/src/db/stripe_refund_repository.cpp).

CREATE TABLE stripe_refunds (
    refund_id   text        PRIMARY KEY CHECK (refund_id <> ''),
    charge_id   text        NOT NULL,
    pledge_id   text        NOT NULL REFERENCES pledges (id),
    amount      bigint      NOT NULL CHECK (amount > 0),
    currency    text        NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    created_at  timestamptz NOT NULL,
    -- When a failed or canceled status was first seen: from then on it gives its money back.
    failed_at   timestamptz
);
CREATE INDEX stripe_refunds_charge ON stripe_refunds (charge_id);

-- The largest amount_refunded a charge.refunded event showed, for refunds no refund
-- event has itemised (an endpoint not subscribed to refund.*, older events).
CREATE TABLE stripe_charge_refunds (
    charge_id          text        PRIMARY KEY,
    pledge_id          text        NOT NULL REFERENCES pledges (id),
    amount_refunded    bigint      NOT NULL CHECK (amount_refunded > 0),
    currency           text        NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    first_refunded_at  timestamptz NOT NULL
);

-- What the ledger already holds of charges' cumulative refunds.
INSERT INTO stripe_charge_refunds (charge_id, pledge_id, amount_refunded, currency, first_refunded_at)
SELECT stripe_object_id, pledge_id, -amount, currency, occurred_at
FROM ledger_entries WHERE kind = 'refund' AND pledge_id IS NOT NULL AND stripe_object_id IS NOT NULL;

-- A refund that failed after it was counted gives its money back on the day it failed,
-- as a row of its own: the refund stays in the range it happened in.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check,
    DROP CONSTRAINT ledger_entries_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN
        ('payment', 'offline_gift', 'refund', 'refund_reversal', 'dispute_withdrawal', 'dispute_reinstatement')),
    ADD CONSTRAINT ledger_entries_sign_check CHECK (
        (kind IN ('payment', 'offline_gift', 'dispute_reinstatement', 'refund_reversal') AND amount > 0)
        OR (kind IN ('refund', 'dispute_withdrawal') AND amount < 0));
