-- pledged's schema for the whole mission. Money is bigint minor units next to a
-- currency column; every Stripe object id that moves money is unique, so a replayed
-- event can never add twice. Applied once by `pledged migrate`; never edit it after
-- it has landed: add 0002_... instead.

CREATE TABLE campaigns (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$'),
    title       text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    currency    text        NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    goal        bigint      NOT NULL CHECK (goal > 0),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);

-- A donor's intent. Money only counts once it is in the ledger.
CREATE TABLE pledges (
    id                        text        PRIMARY KEY CHECK (id ~ '^pl_[0-9A-Za-z]{20,}$'),
    campaign_id               bigint      NOT NULL REFERENCES campaigns (id),
    amount                    bigint      NOT NULL CHECK (amount BETWEEN 1 AND 99999999),
    currency                  text        NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    frequency                 text        NOT NULL CHECK (frequency IN ('once', 'monthly')),
    status                    text        NOT NULL DEFAULT 'pending' CHECK (status IN
                                  ('not_started', 'pending', 'awaiting_payment', 'paid', 'active',
                                   'failed', 'expired', 'canceled', 'refunded')),
    donor_email               text        NOT NULL CHECK (length(donor_email) BETWEEN 3 AND 254),
    donor_name                text        CHECK (length(donor_name) <= 200),
    anonymous                 boolean     NOT NULL DEFAULT false,
    message                   text        CHECK (length(message) <= 500),
    digest_opt_in             boolean     NOT NULL DEFAULT false,
    client_ip                 inet,
    checkout_session_id       text        UNIQUE,
    checkout_url              text,
    stripe_customer_id        text,
    stripe_payment_intent_id  text        UNIQUE,
    stripe_subscription_id    text        UNIQUE,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pledges_campaign_created ON pledges (campaign_id, created_at);
CREATE INDEX pledges_donor_email ON pledges (lower(donor_email));

-- Every money movement, signed: payments, offline gifts and reinstatements are
-- positive; refunds and dispute withdrawals negative. `raised` is the sum.
CREATE TABLE ledger_entries (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id       bigint      NOT NULL REFERENCES campaigns (id),
    pledge_id         text        REFERENCES pledges (id),
    kind              text        NOT NULL CHECK (kind IN
                          ('payment', 'offline_gift', 'refund', 'dispute_withdrawal', 'dispute_reinstatement')),
    amount            bigint      NOT NULL,
    currency          text        NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    -- Who gave, for donor counts and reports: lower-cased email, or NULL when unknown.
    donor_key         text,
    -- The Stripe object that moved the money (py_/ch_/in_/re_/du_ ...); NULL for offline gifts.
    stripe_object_id  text,
    stripe_event_id   text,
    offline_method    text        CHECK (offline_method IN ('check', 'bank_transfer', 'cash', 'other')),
    note              text        CHECK (length(note) <= 1000),
    occurred_at       timestamptz NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, stripe_object_id),
    CHECK ((kind IN ('payment', 'offline_gift', 'dispute_reinstatement') AND amount > 0)
        OR (kind IN ('refund', 'dispute_withdrawal') AND amount < 0)),
    CHECK ((kind = 'offline_gift') = (offline_method IS NOT NULL)),
    CHECK (kind = 'offline_gift' OR stripe_object_id IS NOT NULL)
);
CREATE INDEX ledger_entries_campaign_time ON ledger_entries (campaign_id, occurred_at);
CREATE INDEX ledger_entries_pledge ON ledger_entries (pledge_id);

-- Stripe events as received (raw body kept), stored before they are applied.
CREATE TABLE webhook_events (
    id            text        PRIMARY KEY CHECK (id ~ '^evt_'),
    type          text        NOT NULL,
    api_version   text,
    livemode      boolean     NOT NULL DEFAULT false,
    stripe_created timestamptz NOT NULL,
    payload       jsonb       NOT NULL,
    source        text        NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'reconcile')),
    status        text        NOT NULL CHECK (status IN ('applied', 'ignored', 'waiting', 'failed')),
    attempts      integer     NOT NULL DEFAULT 1 CHECK (attempts >= 0),
    last_error    text,
    received_at   timestamptz NOT NULL DEFAULT now(),
    applied_at    timestamptz
);
CREATE INDEX webhook_events_waiting ON webhook_events (received_at) WHERE status IN ('waiting', 'failed');
CREATE INDEX webhook_events_type_received ON webhook_events (type, received_at);

-- Idempotency-Key records: the first response, replayed byte for byte.
CREATE TABLE idempotency_keys (
    scope            text        NOT NULL,
    key              text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash     text        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('in_progress', 'completed')),
    response_status  integer,
    response_body    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    locked_until     timestamptz,
    expires_at       timestamptz NOT NULL DEFAULT now() + interval '24 hours',
    PRIMARY KEY (scope, key),
    CHECK (state = 'in_progress' OR response_status IS NOT NULL)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Staff bearer tokens: only a SHA-256 of the token is stored.
CREATE TABLE staff_tokens (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    role          text        NOT NULL CHECK (role IN ('viewer', 'admin')),
    token_hash    text        NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

-- Append-only record of every admin action.
CREATE TABLE audit_log (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    action      text        NOT NULL,
    target      text,
    client_ip   inet,
    before      jsonb,
    after       jsonb
);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Every instance LISTENs on this channel and refreshes its banner snapshot, so a
-- change in money (or in a campaign) is visible everywhere within moments. The
-- trigger sits on the tables themselves, so no write path can forget to notify.
CREATE FUNCTION notify_progress_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pledged_progress', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER ledger_entries_notify AFTER INSERT OR UPDATE OR DELETE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION notify_progress_changed();
CREATE TRIGGER campaigns_notify AFTER INSERT OR UPDATE OR DELETE ON campaigns
    FOR EACH STATEMENT EXECUTE FUNCTION notify_progress_changed();
