#include "pledged/refunds/pledge_refunds.hpp"

#include <nlohmann/json.hpp>

#include "pledged/core/crypto.hpp"

namespace pledged {
namespace {

constexpr const char* kIdempotencyScope = "refunds";
constexpr int kKeptAnswerStatus = 201;

// The key's resource: the payment and amount the first attempt planned, "pi_... 2000".
// A repeat refunds exactly that, even after the refund's own webhook changed what is
// left (re-planning then would send Stripe other parameters under the same key).
std::string planned(const std::string& payment_object_id, const Money& amount) {
  return payment_object_id + " " + std::to_string(amount.minor_units());
}

struct PlannedRefund {
  std::string payment_object_id;
  Money amount;
};

std::optional<PlannedRefund> read_planned(const std::string& resource, const std::string& currency) {
  const auto space = resource.find(' ');
  if (space == std::string::npos) return std::nullopt;
  try {
    auto amount = Money::of(std::stoll(resource.substr(space + 1)), currency);
    if (!amount) return std::nullopt;
    return PlannedRefund{resource.substr(0, space), *amount};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<RefundOutcome> parse_outcome(const std::string& text) {
  const auto kept = nlohmann::json::parse(text, nullptr, false);
  if (!kept.is_object()) return std::nullopt;
  try {
    auto amount = Money::of(kept.at("amount").get<std::int64_t>(), kept.at("currency").get<std::string>());
    if (!amount) return std::nullopt;
    return RefundOutcome{kept.at("pledge").get<std::string>(), kept.at("refund").get<std::string>(), *amount,
                         kept.at("recorded").get<bool>(), true};
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::string refund_outcome_json(const RefundOutcome& outcome) {
  return nlohmann::json{{"pledge", outcome.pledge_id},
                        {"refund", outcome.refund_id},
                        {"amount", outcome.amount.minor_units()},
                        {"currency", outcome.amount.currency()},
                        {"recorded", outcome.newly_recorded}}
      .dump();
}

Result<RefundOutcome> PledgeRefunds::refund(const RefundCall& call) {
  if (auto key = check_idempotency_key(call.idempotency_key, /*required=*/true); !key) return key.error();
  auto pledge = refunds_.find_refundable(call.pledge_id);
  if (!pledge) return pledge.error();
  if (!*pledge) return make_error(ErrorCode::not_found, "no paid pledge with that id");
  auto plan = refuse_unreadable(plan_refund(**pledge, call.amount), call.unreadable);

  const IdempotencyScope scope{kIdempotencyScope, *call.idempotency_key, sha256_hex(call.pledge_id + "\n" + call.body)};
  auto claim = idempotency_.claim(scope, plan ? planned((*pledge)->payment_object_id, plan->amount) : "");
  if (!claim) return claim.error();
  if (claim->outcome == ClaimOutcome::replay) {
    auto kept = parse_outcome(claim->response_body);
    if (!kept) return make_error(ErrorCode::internal, "the Idempotency-Key's kept answer is unreadable");
    return *kept;
  }
  if (claim->outcome != ClaimOutcome::claimed) return idempotency_refusal(claim->outcome);

  const auto fail = [&](Error error) -> Error {
    (void)idempotency_.release(scope);  // a repeat may try again; its lock lapses on its own otherwise
    return error;
  };
  const auto refund = read_planned(claim->resource_id, (*pledge)->latest_payment.currency());
  if (!refund) {
    // No plan kept: this attempt's own plan was refused (or the kept one is damaged).
    return fail(plan ? make_error(ErrorCode::internal, "the Idempotency-Key's refund is unreadable") : plan.error());
  }
  if (gateway_ == nullptr) return fail(make_error(ErrorCode::unavailable, "refunds need the Stripe client"));
  auto receipt = gateway_->create_refund(refund->payment_object_id, refund->amount,
                                         stripe_refund_key(call.pledge_id, *call.idempotency_key));
  if (!receipt) return fail(receipt.error());
  auto recorded = refunds_.record_refund(**pledge, *receipt, call.actor);
  if (!recorded) return fail(recorded.error());
  RefundOutcome outcome{call.pledge_id, receipt->refund_id, receipt->amount, *recorded, false};
  // Not kept: a repeat asks Stripe again with the same key and gets the same refund.
  (void)idempotency_.complete(scope, kKeptAnswerStatus, refund_outcome_json(outcome));
  return outcome;
}

}  // namespace pledged
