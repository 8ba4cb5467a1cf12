-- Idempotency-Key records remember which pledge the first request created, so a
-- retry after a failed or interrupted Stripe call resumes that pledge (and, through
-- Stripe's own idempotency key derived from the pledge id, that Checkout Session)
-- instead of creating a second one.
ALTER TABLE idempotency_keys ADD COLUMN resource_id text;
