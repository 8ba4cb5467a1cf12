#pragma once
// The refund admin action: plan it from the ledger, ask Stripe, record it once. The
// admin's Idempotency-Key (required) makes a repeat the same refund: our own kept
// answer when the first finished, Stripe's (through the key derived from it) when
// the first was cut off after Stripe acted.
#include <optional>
#include <string>

#include "pledged/db/idempotency_repository.hpp"
#include "pledged/db/refund_repository.hpp"

namespace pledged {

struct RefundCall {
  std::string pledge_id;
  std::optional<std::int64_t> amount;  // empty: all that is left of the latest payment
  std::optional<std::string> idempotency_key;
  std::string body;  // the raw request body, hashed with the pledge id for the key
  AuditActor actor;
  UnreadableFields unreadable;
};

struct RefundOutcome {
  std::string pledge_id;
  std::string refund_id;
  Money amount;
  bool newly_recorded = false;  // always false: the ledger row comes from the charge.refunded webhook
  bool replayed = false;        // the first answer to the same Idempotency-Key, again
};

// The route's 201 body, also kept for replays.
std::string refund_outcome_json(const RefundOutcome& outcome);

class PledgeRefunds {
 public:
  // `gateway` may be null: this build has no Stripe client, and refunds answer 503.
  PledgeRefunds(RefundRepository& refunds, IdempotencyRepository& idempotency, RefundGateway* gateway)
      : refunds_(refunds), idempotency_(idempotency), gateway_(gateway) {}

  // bad_request without a usable Idempotency-Key; validation_failed (also for a key
  // reused with another body), not_found, conflict (nothing left, key in use),
  // unavailable (Stripe: a repeat with the same key is safe). Nothing reaches Stripe
  // while any field is unreadable or the plan is refused.
  Result<RefundOutcome> refund(const RefundCall& call);

 private:
  RefundRepository& refunds_;
  IdempotencyRepository& idempotency_;
  RefundGateway* gateway_;
};

}  // namespace pledged
