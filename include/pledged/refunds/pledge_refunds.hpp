#pragma once
// The refund admin action: plan it from the ledger, ask Stripe, record it once.
#include <optional>
#include <string>

#include "pledged/db/refund_repository.hpp"

namespace pledged {

struct RefundOutcome {
  std::string pledge_id;
  std::string refund_id;
  Money amount;
  bool newly_recorded = false;  // always false: the ledger row comes from the charge.refunded webhook
};

class PledgeRefunds {
 public:
  // `gateway` may be null: this build has no Stripe client, and refunds answer 503.
  PledgeRefunds(RefundRepository& refunds, RefundGateway* gateway) : refunds_(refunds), gateway_(gateway) {}

  // Nothing reaches Stripe while any field is unreadable or the plan is refused.
  Result<RefundOutcome> refund(const std::string& pledge_id, const std::optional<std::int64_t>& amount,
                               const AuditActor& actor, const UnreadableFields& unreadable = {});

 private:
  RefundRepository& refunds_;
  RefundGateway* gateway_;
};

}  // namespace pledged
