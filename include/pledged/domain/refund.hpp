#pragma once
// Refunding a Stripe gift: how much may still be refunded, and the Stripe idempotency
// key that makes a retried request (a double click, a timeout) the same Stripe refund.
#include <cstdint>
#include <optional>
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/domain/money.hpp"

namespace pledged {

// A pledge's money as the ledger has it, and the Stripe payment a refund goes to.
struct RefundablePledge {
  std::string pledge_id;
  std::int64_t campaign_id = 0;
  std::string campaign_slug;
  std::string payment_object_id;  // the latest payment (pi_/ch_/py_/in_ ...)
  Money latest_payment;           // that payment's amount
  std::int64_t net = 0;           // payments minus refunds and lost disputes, all of the pledge's
};

struct RefundPlan {
  Money amount;
};

// `requested` empty means "all that is left" (of the latest payment). not_found has no
// payment; conflict when nothing is left; validation_failed (field amount) otherwise.
Result<RefundPlan> plan_refund(const RefundablePledge& pledge, const std::optional<std::int64_t>& requested);

// Stripe's Idempotency-Key for the refund that the admin's request with `client_key`
// asks for. Derived from that key alone (never from the pledge's net, which the
// refund's own webhook changes): a retry is the same Stripe refund whatever landed
// in between, and a new key is a new refund. Hashed, so any 255 characters fit.
std::string stripe_refund_key(const std::string& pledge_id, const std::string& client_key);

}  // namespace pledged
