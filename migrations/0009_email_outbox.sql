-- Donor emails (receipts, refund notices) as a transactional outbox: each row is written
-- in the same transaction as the ledger movement it tells about, under a unique key per
-- (movement, kind), so an event delivered five times queues one email and a crash
-- between commit and send loses nothing. A sender loop on every instance claims due
-- rows (FOR UPDATE SKIP LOCKED) and sends them by SMTP.
--
-- What the email says is copied in at queue time (recipient, name, campaign, amount):
-- the email tells of the movement as it was, and the sender needs no joins.
CREATE TABLE email_outbox (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind IN ('receipt', 'refund_notice')),
    -- The movement the email tells of: a receipt's ledger entry id; a refund notice's
    -- pledge and cumulative refunded amount (the ledger may key one refund under the
    -- charge first and under the refund later: the total does not change with that).
    movement         text        NOT NULL CHECK (length(movement) BETWEEN 1 AND 300),
    ledger_entry_id  bigint,
    recipient        text        NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    donor_name       text        NOT NULL DEFAULT '',
    campaign_title   text        NOT NULL,
    amount           bigint      NOT NULL CHECK (amount > 0),
    currency         text        NOT NULL CHECK (currency ~ '^[a-z]{3}$'),
    occurred_at      timestamptz NOT NULL,
    status           text        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When the row may next be claimed: now for a new row; after a claim, the end of the
    -- claim's lease (a sender killed mid-send leaves it to another once it expires);
    -- after a failure, the backoff.
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz,
    UNIQUE (movement, kind)
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE status = 'queued';
