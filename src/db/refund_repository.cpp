#include "pledged/db/refund_repository.hpp"

#include "audit_trail.hpp"
#include "pool_impl.hpp"

namespace pledged {
namespace {

constexpr const char* kFindRefundable = "refund_find_refundable";
constexpr const char* kInsertRefund = "refund_insert";

}  // namespace

std::vector<PreparedStatement> RefundRepository::statements() {
  auto all = audit_statements();
  const std::vector<PreparedStatement> own{
      {kFindRefundable,
       "SELECT p.id, c.id, c.slug, last.stripe_object_id, last.amount, last.currency, "
       "  (SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE pledge_id = p.id)::bigint "
       "FROM pledges p JOIN campaigns c ON c.id = p.campaign_id "
       "JOIN LATERAL (SELECT stripe_object_id, amount, currency FROM ledger_entries "
       "  WHERE pledge_id = p.id AND kind = 'payment' ORDER BY occurred_at DESC, id DESC LIMIT 1) last ON true "
       "WHERE p.id = $1"},
      {kInsertRefund,
       "INSERT INTO ledger_entries AS l (campaign_id, pledge_id, kind, amount, currency, donor_key, "
       "  stripe_object_id, occurred_at) "
       "SELECT $1, p.id, 'refund', -$3::bigint, $4, lower(p.donor_email), $5, to_timestamp($6::bigint) "
       "FROM pledges p WHERE p.id = $2 "
       "ON CONFLICT (kind, stripe_object_id) DO NOTHING RETURNING to_jsonb(l)::text"},
  };
  all.insert(all.end(), own.begin(), own.end());
  return all;
}

Result<std::optional<RefundablePledge>> RefundRepository::find_refundable(const std::string& pledge_id) {
  return with_connection<std::optional<RefundablePledge>>(
      pool_,
      [&](pqxx::connection& connection) -> std::optional<RefundablePledge> {
        pqxx::read_transaction tx(connection);
        const auto rows = tx.exec_prepared(kFindRefundable, pledge_id);
        if (rows.empty()) return std::nullopt;
        const auto& row = rows[0];
        auto payment = Money::of(row[4].as<std::int64_t>(), row[5].as<std::string>());
        if (!payment) throw std::runtime_error("payment in an unsupported currency");
        return RefundablePledge{row[0].as<std::string>(), row[1].as<std::int64_t>(), row[2].as<std::string>(),
                                row[3].as<std::string>(), *payment, row[6].as<std::int64_t>()};
      },
      /*retry_if_broken=*/true);
}

Result<bool> RefundRepository::record_refund(const RefundablePledge& pledge, const RefundReceipt& receipt,
                                            const AuditActor& actor) {
  return with_connection<bool>(pool_, [&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto rows = tx.exec_prepared(kInsertRefund, pledge.campaign_id, pledge.pledge_id,
                                       receipt.amount.minor_units(), receipt.amount.currency(), receipt.refund_id,
                                       receipt.created.time_since_epoch().count());
    // The admin action is audited either way; `after` shows whether it added to the ledger.
    append_audit(tx, actor, "pledge.refund", pledge.pledge_id, "",
                 rows.empty() ? "{\"refund\":\"" + receipt.refund_id + "\",\"already_recorded\":true}"
                              : rows[0][0].as<std::string>());
    tx.commit();
    return !rows.empty();
  });
}

}  // namespace pledged
