#pragma once
// Refunds through Stripe's API (POST /v1/refunds) for the admin refund route.
#include "pledged/domain/refund_gateway.hpp"
#include "pledged/stripe/stripe_client.hpp"

namespace pledged::stripe {

class StripeRefundGateway final : public RefundGateway {
 public:
  explicit StripeRefundGateway(StripeClient& client) : client_(client) {}
  Result<RefundReceipt> create_refund(const std::string& payment_object_id, const Money& amount,
                                      const std::string& idempotency_key) override;

 private:
  StripeClient& client_;
};

}  // namespace pledged::stripe
