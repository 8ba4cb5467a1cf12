-- Events that can never find their pledge (a Payment Link, a Dashboard charge, another
-- product's invoice of a donor's customer) were retried every 5 minutes without end,
-- kept the "waiting" figure above zero, and every applied event scanned them for its
-- ids. After 72 hours without a pledge such an event is `unmatched`: terminal, counted
-- in webhook health, listed for staff, applied again only on an admin's request.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_status_check;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_status_check
    CHECK (status IN ('applied', 'ignored', 'waiting', 'failed', 'unmatched'));

-- What the waiting lookup reads: `awaits && <the pledge's ids>` over waiting events.
CREATE INDEX webhook_events_awaits ON webhook_events USING gin (awaits) WHERE status = 'waiting';
-- The staff list, newest first.
CREATE INDEX webhook_events_unmatched ON webhook_events (received_at) WHERE status = 'unmatched';
