#pragma once
// The one thing the refund route needs from Stripe. The libcurl Stripe client
// implements it; tests use a stand-in.
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/domain/money.hpp"

namespace pledged {

struct RefundReceipt {
  std::string refund_id;  // re_...
  Money amount;
  Timestamp created;
};

class RefundGateway {
 public:
  virtual ~RefundGateway() = default;
  // POST /v1/refunds for `payment_object_id` (payment intent or charge) with the
  // Idempotency-Key header. unavailable when Stripe cannot be reached.
  virtual Result<RefundReceipt> create_refund(const std::string& payment_object_id, const Money& amount,
                                              const std::string& idempotency_key) = 0;
};

}  // namespace pledged
