#pragma once
// Starting a pledge: validation, the Idempotency-Key, the pledge row and its Stripe
// Checkout Session. No HTTP here; the route hands over the body and sends the reply.
#include <optional>
#include <string>

#include "pledged/core/log.hpp"
#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/campaign_repository.hpp"
#include "pledged/db/idempotency_repository.hpp"
#include "pledged/db/pledge_repository.hpp"
#include "pledged/domain/covered_fee.hpp"
#include "pledged/stripe/stripe_client.hpp"

namespace pledged {

struct PledgeCall {
  std::string body;  // the raw JSON, also hashed for the Idempotency-Key
  std::optional<std::string> idempotency_key;
  std::string client_ip;
};

// A pledge whose Checkout Session exists: where the donor goes to pay. `replayed`
// when it is the first answer to the same Idempotency-Key again.
struct StartedPledge {
  Pledge pledge;
  bool replayed = false;
};

class PledgeService {
 public:
  struct Deps {
    CampaignRepository& campaigns;
    PledgeRepository& pledges;
    IdempotencyRepository& idempotency;
    stripe::StripeClient* stripe;  // nullptr when no STRIPE_SECRET_KEY is configured
    std::string public_url;
    Logger& log;
    std::optional<FeeRule> cover_fee = std::nullopt;  // PLEDGED_COVER_FEE; nullopt when off
  };
  explicit PledgeService(Deps deps) : deps_(std::move(deps)) {}

  // The pledge and its checkout_url, or an error: bad_request, validation_failed
  // (every field), not_found, conflict (campaign closed, key in use), unavailable
  // (Stripe; the pledge is kept as not_started and a retry with the same key resumes it).
  Result<StartedPledge> create(const PledgeCall& call, Timestamp now);

 private:
  // `resumed`: the pledge may exist from an earlier attempt with the same Idempotency-Key.
  Result<StartedPledge> start_checkout(const NewPledge& pledge, const Campaign& campaign, bool resumed);

  Deps deps_;
};

}  // namespace pledged
