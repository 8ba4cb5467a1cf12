-- Donor self-service (issue 17, API.md "Donors"): sign-in links, donor sessions, the
-- monthly gift's state as the Billing Portal changes it, and the sign-in email.
--
-- A sign-in link's token and a session's id are stored as SHA-256 hashes only: a copy of
-- the database cannot sign anyone in. A donor is a donor key (the email, trimmed and in
-- lower case), the same key the ledger files gifts under.
CREATE TABLE donor_links (
    token_hash  text        PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    donor_key   text        NOT NULL CHECK (length(donor_key) BETWEEN 3 AND 254),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    -- Single use: set once, by the one request that exchanged it for a session.
    used_at     timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX donor_links_expiry ON donor_links (expires_at);

-- Server-side, so that a session can end before its cookie does (sign out, revoked).
CREATE TABLE donor_sessions (
    id_hash     text        PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
    donor_key   text        NOT NULL CHECK (length(donor_key) BETWEEN 3 AND 254),
    -- The anti-forgery token every donor POST carries besides the cookie.
    csrf_token  text        NOT NULL CHECK (length(csrf_token) >= 32),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX donor_sessions_expiry ON donor_sessions (expires_at);

-- A monthly gift as its subscription now stands (customer.subscription.created/updated):
-- what it bills each month, whether it ends at the period's end, when the period ends.
-- Events may arrive in any order: the state of the latest event (by Stripe's `created`,
-- then the event id) wins, so repeats and reorderings end in the same row.
ALTER TABLE pledges
    ADD COLUMN subscription_amount          bigint CHECK (subscription_amount > 0),
    ADD COLUMN subscription_cancel_at_end   boolean NOT NULL DEFAULT false,
    ADD COLUMN subscription_period_end      timestamptz,
    ADD COLUMN subscription_event_created   bigint,
    ADD COLUMN subscription_event_id        text,
    ADD CONSTRAINT pledges_subscription_event_versioned
        CHECK ((subscription_event_created IS NULL) = (subscription_event_id IS NULL));
CREATE INDEX pledges_donor_key ON pledges (lower(btrim(donor_email)));

-- The sign-in email: its link waits in `summary` until it is sent (then it is cleared),
-- it names no money (amount 0, currency 'xxx', ISO 4217's "no currency") and no campaign.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('receipt', 'refund_notice', 'statement', 'donor_link'));
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_amount_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_amount_check
    CHECK (amount > 0 OR (kind = 'statement' AND amount >= 0) OR (kind = 'donor_link' AND amount = 0));
