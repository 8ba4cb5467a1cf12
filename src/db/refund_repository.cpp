#include "pledged/db/refund_repository.hpp"

#include "audit_trail.hpp"
#include "pool_impl.hpp"

namespace pledged {
namespace {

constexpr const char* kFindRefundable = "refund_find_refundable";

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
    // The ledger has one writer for refunds: Stripe's charge.refunded event, which
    // carries the charge's cumulative amount_refunded and is keyed by the charge. If
    // this call wrote a row of its own too, the same money would count twice.
    pqxx::work tx(connection);
    append_audit(tx, actor, "pledge.refund", pledge.pledge_id, "",
                 "{\"refund\":\"" + receipt.refund_id + "\",\"amount\":" +
                     std::to_string(receipt.amount.minor_units()) + ",\"currency\":\"" + receipt.amount.currency() +
                     "\",\"ledger\":\"recorded from Stripe's charge.refunded event\"}");
    tx.commit();
    return false;
  });
}

}  // namespace pledged
