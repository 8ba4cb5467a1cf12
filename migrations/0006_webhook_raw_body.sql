-- A Stripe event whose body holds "\u0000" (a card's statement text, a customer's
-- note) could not be stored: jsonb refuses that escape (SQLSTATE 22P05), the webhook
-- answered 500 for Stripe's three days of retries and reconcile failed the same way.
-- The body is now kept as received, byte for byte (the signature was checked on these
-- bytes, and retries parse them again); `payload` keeps what jsonb accepts (the same
-- event with each U+0000 replaced by U+FFFD), for queries by people. Earlier rows have
-- only `payload`.
ALTER TABLE webhook_events ADD COLUMN raw_body text;
