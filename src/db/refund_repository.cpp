#include "pledged/db/refund_repository.hpp"

#include "audit_trail.hpp"
#include "pledged/db/sql.hpp"

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
  return pool_.transact(
      [&](Tx& tx) -> std::optional<RefundablePledge> {
        const auto rows = tx.exec_prepared(kFindRefundable, pledge_id);
        if (rows.empty()) return std::nullopt;
        const auto& row = rows[0];
        auto payment = Money::of(row[4].as<std::int64_t>(), row[5].as<std::string>());
        if (!payment) throw std::runtime_error("payment in an unsupported currency");
        return RefundablePledge{row[0].as<std::string>(), row[1].as<std::int64_t>(), row[2].as<std::string>(),
                                row[3].as<std::string>(), *payment, row[6].as<std::int64_t>()};
      },
      Retry::if_broken, TxMode::read_only);
}

Result<bool> RefundRepository::record_refund(const RefundablePledge& pledge, const RefundReceipt& receipt,
                                            const AuditActor& actor) {
  return pool_.transact([&](Tx& tx) {
    // The ledger has one writer for refunds: Stripe's charge.refunded event, which
    // carries the charge's cumulative amount_refunded and is keyed by the charge. If
    // this call wrote a row of its own too, the same money would count twice.
    append_audit(tx, actor, "pledge.refund", pledge.pledge_id, "",
                 "{\"refund\":\"" + receipt.refund_id +
                     "\",\"amount\":" + std::to_string(receipt.amount.minor_units()) + ",\"currency\":\"" +
                     receipt.amount.currency() + "\",\"ledger\":\"recorded from Stripe's charge.refunded event\"}");
    return false;
  });
}

}  // namespace pledged
