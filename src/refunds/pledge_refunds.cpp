#include "pledged/refunds/pledge_refunds.hpp"

namespace pledged {

Result<RefundOutcome> PledgeRefunds::refund(const std::string& pledge_id, const std::optional<std::int64_t>& amount,
                                            const AuditActor& actor, const UnreadableFields& unreadable) {
  auto pledge = refunds_.find_refundable(pledge_id);
  if (!pledge) return pledge.error();
  if (!*pledge) return make_error(ErrorCode::not_found, "no paid pledge with that id");
  auto plan = refuse_unreadable(plan_refund(**pledge, amount), unreadable);
  if (!plan) return plan.error();
  if (gateway_ == nullptr) return make_error(ErrorCode::unavailable, "refunds need the Stripe client");
  auto receipt = gateway_->create_refund((*pledge)->payment_object_id, plan->amount, plan->idempotency_key);
  if (!receipt) return receipt.error();
  auto recorded = refunds_.record_refund(**pledge, *receipt, actor);
  if (!recorded) return recorded.error();
  return RefundOutcome{pledge_id, receipt->refund_id, receipt->amount, *recorded};
}

}  // namespace pledged
