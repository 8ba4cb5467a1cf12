#include "pledged/domain/refund.hpp"

#include <algorithm>

namespace pledged {

Result<RefundPlan> plan_refund(const RefundablePledge& pledge, const std::optional<std::int64_t>& requested) {
  const std::int64_t left = std::min(pledge.net, pledge.latest_payment.minor_units());
  if (left <= 0) return make_error(ErrorCode::conflict, "this pledge has nothing left to refund");
  const std::int64_t amount = requested.value_or(left);
  if (amount < 1 || amount > left) {
    Error error{ErrorCode::validation_failed, "the refund has invalid fields", {}};
    error.fields["amount"] = "must be an integer from 1 to " + std::to_string(left);
    return error;
  }
  auto money = Money::of(amount, pledge.latest_payment.currency());
  if (!money) return money.error();
  // Same pledge, same state, same amount: the same key, so Stripe answers a retry with
  // the refund it already made instead of refunding twice.
  return RefundPlan{*money, "pledged-refund-" + pledge.pledge_id + "-" + pledge.payment_object_id + "-" +
                                std::to_string(pledge.net) + "-" + std::to_string(amount)};
}

}  // namespace pledged
