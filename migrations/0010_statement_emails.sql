-- Year-end statements by email (issue 16): one outbox row per donor and year, under the
-- outbox's unique key (movement 'statement:YEAR:donor'), so sending a year's statements
-- twice queues nothing more. The statement's PDF is rendered when the row is queued and
-- kept with it, as the rest of an email's facts are: the sender needs no joins, and every
-- try of one row sends the same bytes.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('receipt', 'refund_notice', 'statement'));
-- A statement's amount is the donor's net total for the year (in its first currency):
-- zero when every gift was refunded, and the PDF says so.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_amount_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_amount_check
    CHECK (amount > 0 OR (kind = 'statement' AND amount >= 0));
-- The statement's totals per currency as its email states them ("125.00 USD, 30.00 EUR").
ALTER TABLE email_outbox ADD COLUMN summary text CHECK (length(summary) <= 1000);
ALTER TABLE email_outbox ADD COLUMN attachment bytea CHECK (octet_length(attachment) <= 10485760);
ALTER TABLE email_outbox ADD COLUMN attachment_name text
    CHECK (attachment_name ~ '^[A-Za-z0-9._-]{1,100}$');
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_attachment_named
    CHECK ((attachment IS NULL) = (attachment_name IS NULL));
-- A donor's movements of a year, read per donor when statements are rendered.
CREATE INDEX ledger_entries_donor_time ON ledger_entries (donor_key, occurred_at);
-- When the last failed try was (staff see the last failures: time, kind, error class).
ALTER TABLE email_outbox ADD COLUMN last_error_at timestamptz;
CREATE INDEX email_outbox_last_errors ON email_outbox (last_error_at) WHERE last_error_at IS NOT NULL;
