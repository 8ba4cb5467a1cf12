#include "pledged/domain/refund.hpp"

#include <algorithm>

#include "pledged/core/crypto.hpp"

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
  return RefundPlan{*money};
}

std::string stripe_refund_key(const std::string& pledge_id, const std::string& client_key) {
  return "pledged-refund-" + pledge_id + "-" + sha256_hex(client_key);
}

}  // namespace pledged
