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
-- Events find their pledge by customer as a last resort; without this, a scan of every pledge.
CREATE INDEX pledges_stripe_customer ON pledges (stripe_customer_id);

-- The Stripe ids a waiting event could be found through: when a pledge learns one
-- of them, exactly the events waiting for it are retried.
ALTER TABLE webhook_events ADD COLUMN awaits text[];

-- NOTIFY serialises the commits of every transaction that sends one, including
-- their WAL flush, so a notifying webhook transaction cannot share a flush with
-- others (measured: ~80 events/s on a 2-core box). A transaction that promises to
-- announce the change itself right after its commit (pledged's webhook path sets
-- pledged.notify_after_commit locally) skips the trigger's NOTIFY; every other
-- writer still notifies from the trigger exactly as before.
CREATE OR REPLACE FUNCTION notify_progress_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('pledged.notify_after_commit', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('pledged_progress', '');
    RETURN NULL;
END;
$$;
