#include "pledged/stripe/stripe_refund_gateway.hpp"

namespace pledged::stripe {

Result<RefundReceipt> StripeRefundGateway::create_refund(const std::string& payment_object_id, const Money& amount,
                                                          const std::string& idempotency_key) {
  nlohmann::json params{{"amount", amount.minor_units()}, {"reason", "requested_by_customer"}};
  if (payment_object_id.rfind("pi_", 0) == 0) {
    params["payment_intent"] = payment_object_id;
  } else if (payment_object_id.rfind("ch_", 0) == 0 || payment_object_id.rfind("py_", 0) == 0) {
    params["charge"] = payment_object_id;
  } else {
    // A monthly installment is recorded by its invoice; Stripe refunds its charge,
    // which the dashboard shows next to the invoice.
    return make_error(ErrorCode::conflict, "this payment cannot be refunded here; refund it in the Stripe dashboard");
  }
  const auto refund = client_.post("/v1/refunds", params, idempotency_key);
  if (!refund.ok()) return to_error(refund.error);
  const auto& object = *refund.object;
  if (!object.contains("id") || !object["id"].is_string() || !object.contains("amount") ||
      !object["amount"].is_number_integer()) {
    return make_error(ErrorCode::internal, "Stripe returned a refund without id or amount");
  }
  auto refunded = Money::of(object["amount"].get<std::int64_t>(), amount.currency());
  if (!refunded) return refunded.error();
  const auto created = object.contains("created") && object["created"].is_number_integer()
                           ? Timestamp(std::chrono::seconds(object["created"].get<std::int64_t>()))
                           : now_utc();
  return RefundReceipt{object["id"].get<std::string>(), *refunded, created};
}

}  // namespace pledged::stripe
