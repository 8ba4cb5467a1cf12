-- Staff side: reports, exports, offline gifts, audit.

-- An offline gift's donor has no pledge to carry a name; staff type it in.
ALTER TABLE ledger_entries ADD COLUMN donor_name text CHECK (length(donor_name) <= 200);

-- Lapsed-donor lookups ask "did this donor give to that campaign?".
CREATE INDEX ledger_entries_campaign_donor ON ledger_entries (campaign_id, donor_key);
CREATE INDEX audit_log_at ON audit_log (at);

-- Every ledger entry with what staff reports need from its pledge: the donor's name
-- (from the pledge, or typed in for an offline gift), whether they asked to stay
-- anonymous, the frequency (an offline gift counts as a one-time gift) and how the
-- money came (stripe or the offline method). Reports and exports read this, so they
-- agree with each other by construction.
CREATE VIEW staff_ledger AS
SELECT l.id,
       l.campaign_id,
       l.pledge_id,
       l.kind,
       l.amount,
       l.currency,
       l.donor_key,
       coalesce(l.donor_name, p.donor_name) AS donor_name,
       coalesce(p.anonymous, false)          AS anonymous,
       coalesce(p.frequency, 'once')         AS frequency,
       coalesce(l.offline_method, 'stripe')  AS method,
       l.stripe_object_id,
       l.note,
       l.occurred_at,
       l.kind IN ('payment', 'offline_gift') AS is_gift
FROM ledger_entries l
LEFT JOIN pledges p ON p.id = l.pledge_id;
