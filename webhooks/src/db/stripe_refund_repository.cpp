#include "stripe_refund_repository.hpp"

namespace pledged::webhooks {
namespace {

constexpr const char* kRecordRefund = "stripe_refund_record";
constexpr const char* kRecordRefundSql =
    "INSERT INTO stripe_refunds (refund_id, charge_id, pledge_id, amount, currency, created_at, failed_at) "
    "VALUES ($1, $2, $3, $4, $5, to_timestamp($6), CASE WHEN $7::boolean THEN to_timestamp($8) END) "
    "ON CONFLICT (refund_id) DO UPDATE SET created_at = least(stripe_refunds.created_at, excluded.created_at), "
    "  failed_at = least(stripe_refunds.failed_at, excluded.failed_at) "  // least() skips NULLs
    "WHERE excluded.created_at < stripe_refunds.created_at "
    "  OR excluded.failed_at < coalesce(stripe_refunds.failed_at, 'infinity')";

constexpr const char* kRecordCharge = "stripe_refund_record_charge";
constexpr const char* kRecordChargeSql =
    "INSERT INTO stripe_charge_refunds (charge_id, pledge_id, amount_refunded, currency, first_refunded_at) "
    "VALUES ($1, $2, $3, $4, to_timestamp($5)) "
    "ON CONFLICT (charge_id) DO UPDATE SET "
    "  amount_refunded = greatest(stripe_charge_refunds.amount_refunded, excluded.amount_refunded), "
    "  first_refunded_at = least(stripe_charge_refunds.first_refunded_at, excluded.first_refunded_at) "
    "WHERE excluded.amount_refunded > stripe_charge_refunds.amount_refunded "
    "  OR excluded.first_refunded_at < stripe_charge_refunds.first_refunded_at";

// Every refund of the charge, and the give-back of each that failed.
constexpr const char* kSettleRefunds = "stripe_refund_settle_refunds";
constexpr const char* kSettleRefundsSql =
    "INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id, "
    "  stripe_event_id, occurred_at) "
    "SELECT p.campaign_id, r.pledge_id, k.kind, CASE WHEN k.kind = 'refund' THEN -r.amount ELSE r.amount END, "
    "  r.currency, lower(p.donor_email), r.refund_id, $2, "
    "  CASE WHEN k.kind = 'refund' THEN r.created_at ELSE r.failed_at END "
    "FROM stripe_refunds r JOIN pledges p ON p.id = r.pledge_id "
    "  CROSS JOIN (VALUES ('refund'), ('refund_reversal')) AS k (kind) "
    "WHERE r.charge_id = $1 AND (k.kind = 'refund' OR r.failed_at IS NOT NULL) "
    "ORDER BY k.kind, r.refund_id "
    "ON CONFLICT (kind, stripe_object_id) DO UPDATE SET amount = excluded.amount, occurred_at = excluded.occurred_at "
    "WHERE ledger_entries.amount <> excluded.amount OR ledger_entries.occurred_at <> excluded.occurred_at";

// The charge's cumulative amount less every refund it names (a failed one too: the
// largest amount_refunded seen may still include it). Kept under the charge's id.
constexpr const char* kSettleRemainder = "stripe_refund_settle_remainder";
constexpr const char* kSettleRemainderSql =
    "WITH remainder AS ("
    "  SELECT c.charge_id, c.pledge_id, c.currency, c.first_refunded_at, c.amount_refunded - coalesce("
    "    (SELECT sum(r.amount) FROM stripe_refunds r WHERE r.charge_id = c.charge_id), 0) AS amount "
    "  FROM stripe_charge_refunds c WHERE c.charge_id = $1), "
    "removed AS (DELETE FROM ledger_entries l USING remainder m "
    "  WHERE l.kind = 'refund' AND l.stripe_object_id = m.charge_id AND m.amount <= 0) "
    "INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id, "
    "  stripe_event_id, occurred_at) "
    "SELECT p.campaign_id, m.pledge_id, 'refund', -m.amount, m.currency, lower(p.donor_email), m.charge_id, $2, "
    "  m.first_refunded_at "
    "FROM remainder m JOIN pledges p ON p.id = m.pledge_id WHERE m.amount > 0 "
    "ON CONFLICT (kind, stripe_object_id) DO UPDATE SET amount = excluded.amount, occurred_at = excluded.occurred_at "
    "WHERE ledger_entries.amount <> excluded.amount OR ledger_entries.occurred_at <> excluded.occurred_at";

}  // namespace

std::vector<PreparedStatement> StripeRefundRepository::statements() {
  return {{kRecordRefund, kRecordRefundSql},
          {kRecordCharge, kRecordChargeSql},
          {kSettleRefunds, kSettleRefundsSql},
          {kSettleRemainder, kSettleRemainderSql}};
}

void StripeRefundRepository::record(Tx& tx, const StripePledge& pledge, const RefundItem& refund,
                                    std::int64_t seen_at) {
  const auto created = static_cast<long long>(refund.created > 0 ? refund.created : seen_at);
  tx.exec_prepared(kRecordRefund, refund.refund_id, refund.charge_id, pledge.facts.id, refund.amount, refund.currency,
                   created, refund.failed, static_cast<long long>(seen_at));
}

void StripeRefundRepository::record(Tx& tx, const StripePledge& pledge, const ChargeRefunds& charge,
                                    std::int64_t seen_at) {
  tx.exec_prepared(kRecordCharge, charge.charge_id, pledge.facts.id, charge.amount_refunded, charge.currency,
                   static_cast<long long>(seen_at));
}

void StripeRefundRepository::settle_ledger(Tx& tx, const std::string& charge_id, const std::string& event_id) {
  tx.exec_prepared(kSettleRefunds, charge_id, event_id);
  tx.exec_prepared(kSettleRemainder, charge_id, event_id);
}

}  // namespace pledged::webhooks
