-- Webhook events that wait for their pledge are retried with a backoff, and every
-- Stripe id seen on a pledge's objects (invoice, charge, payment intent, customer …)
-- is remembered, so a later event about any of them finds the pledge again.

ALTER TABLE webhook_events ADD COLUMN next_attempt_at timestamptz;
CREATE INDEX webhook_events_retry ON webhook_events (next_attempt_at) WHERE status IN ('waiting', 'failed');

CREATE TABLE stripe_links (
    stripe_id   text        PRIMARY KEY,
    pledge_id   text        NOT NULL REFERENCES pledges (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_links_pledge ON stripe_links (pledge_id);

-- The Stripe ids a waiting event could be found through: when a pledge learns one
-- of them, exactly the events waiting for it are retried.
ALTER TABLE webhook_events ADD COLUMN awaits text[];
