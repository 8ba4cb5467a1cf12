-- Donor-covered fees (API.md, POST /v1/pledges: cover_fee): the gift stays in `amount`,
-- the fee the donor added is `fee`, and `charged` is what Checkout charges (each month,
-- for a monthly gift), generated so that it can never disagree with the two. The webhook
-- amount check compares a one-time payment with `charged`; reports sum `fee`.
ALTER TABLE pledges
    ADD COLUMN fee bigint NOT NULL DEFAULT 0 CHECK (fee >= 0),
    ADD COLUMN charged bigint GENERATED ALWAYS AS (amount + fee) STORED CHECK (charged <= 99999999);
