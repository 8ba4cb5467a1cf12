#include "pledged/pledges/pledge_service.hpp"

#include "pledged/core/crypto.hpp"
#include "pledged/stripe/checkout_sessions.hpp"

namespace pledged {
namespace {

constexpr const char* kIdempotencyScope = "pledges";
constexpr int kStripeRetryAfterSeconds = 10;
constexpr int kNotConfiguredRetryAfterSeconds = 300;

// What the first answer to an Idempotency-Key was: kept as the API's own form of the
// pledge, so that a replay renders to the same bytes (an HTTP 201 then, as now).
constexpr int kKeptAnswerStatus = 201;

Pledge started(const NewPledge& pledge, const std::string& campaign_slug, const std::string& checkout_url) {
  Pledge view;
  view.id = pledge.id;
  view.status = PledgeStatus::pending;
  view.campaign_slug = campaign_slug;
  view.amount = pledge.amount;
  view.fee = pledge.fee;
  view.charged = pledge.charged;
  view.currency = pledge.currency;
  view.frequency = pledge.frequency;
  view.checkout_url = checkout_url;
  return view;
}

Error checkout_unavailable(const std::string& pledge_id, const std::string& why, int retry_after) {
  auto error = make_error(ErrorCode::unavailable, why + " Your pledge " + pledge_id +
                                                      " is saved but not started; please try again shortly.");
  error.api_code = "checkout_unavailable";
  error.retry_after_seconds = retry_after;
  return error;
}

}  // namespace

Result<StartedPledge> PledgeService::create(const PledgeCall& call, Timestamp now) {
  if (auto key = check_idempotency_key(call.idempotency_key, /*required=*/false); !key) return key.error();
  auto request = parse_pledge_request(call.body);
  if (!request) return request.error();

  std::optional<Campaign> campaign;
  if (!request->campaign.empty()) {
    auto found = deps_.campaigns.find_by_slug(request->campaign);
    if (!found) return found.error();
    if (!*found) return make_error(ErrorCode::not_found, "no campaign with that slug");
    campaign = std::move(**found);
  }
  const FeeRule* cover_fee = deps_.cover_fee ? &*deps_.cover_fee : nullptr;
  if (auto errors = pledge_field_errors(*request, campaign ? &*campaign : nullptr, cover_fee); !errors.empty()) {
    auto error = make_error(ErrorCode::validation_failed, "some fields are invalid");
    error.fields = std::move(errors);
    return error;
  }
  if (const auto status = campaign->status_at(now); status != CampaignStatus::active) {
    auto error = make_error(ErrorCode::conflict, std::string("the campaign is not accepting gifts (") +
                                                     to_string(status) + ")");
    error.api_code = "campaign_not_accepting_gifts";
    return error;
  }

  NewPledge pledge;
  pledge.id = new_pledge_id();
  pledge.campaign_id = campaign->id;
  pledge.amount = *request->amount;
  pledge.charged = request->cover_fee ? charged_covering_fee(pledge.amount, *cover_fee) : pledge.amount;
  pledge.fee = pledge.charged - pledge.amount;
  pledge.currency = request->currency;
  pledge.frequency = request->frequency == "monthly" ? Frequency::monthly : Frequency::once;
  pledge.email = request->email;
  pledge.name = request->name;
  pledge.anonymous = request->anonymous;
  pledge.message = request->message;
  pledge.digest_opt_in = request->digest_opt_in;
  pledge.client_ip = call.client_ip;
  if (!call.idempotency_key) return start_checkout(pledge, *campaign, /*resumed=*/false);

  const IdempotencyScope scope{kIdempotencyScope, *call.idempotency_key, sha256_hex(call.body)};
  auto claim = deps_.idempotency.claim(scope, pledge.id);
  if (!claim) return claim.error();
  switch (claim->outcome) {
    case ClaimOutcome::replay: {
      auto kept = parse_public_pledge_json(claim->response_body);
      if (!kept) return make_error(ErrorCode::internal, "the Idempotency-Key's kept answer is unreadable");
      return StartedPledge{std::move(*kept), true};
    }
    case ClaimOutcome::mismatch:
    case ClaimOutcome::in_progress: return idempotency_refusal(claim->outcome);
    case ClaimOutcome::claimed:
      break;
  }
  const bool resumed = claim->resource_id != pledge.id;
  pledge.id = claim->resource_id;  // an interrupted first attempt's pledge, when resuming
  auto reply = start_checkout(pledge, *campaign, resumed);
  const Status recorded = reply
                              ? deps_.idempotency.complete(scope, kKeptAnswerStatus, public_pledge_json(reply->pledge))
                              : deps_.idempotency.release(scope);
  if (!recorded) {
    // The pledge itself is safe; a repeat resumes it once the key's lock lapses.
    deps_.log.event("warn", "could not record the Idempotency-Key outcome: " + recorded.error().message,
                    {{"pledge_id", json_quoted(pledge.id)}});
  }
  return reply;
}

Result<StartedPledge> PledgeService::start_checkout(const NewPledge& pledge, const Campaign& campaign, bool resumed) {
  if (auto stored = deps_.pledges.insert(pledge); !stored) return stored.error();
  if (resumed) {
    auto existing = deps_.pledges.find_by_id(pledge.id);
    if (!existing) return existing.error();
    if (*existing && !(*existing)->checkout_url.empty()) {
      // Resumed after the session was made but before the reply was recorded.
      Pledge stored = **existing;
      stored.campaign_slug = campaign.slug;
      stored.checkout_session_id.clear();
      return StartedPledge{std::move(stored), false};
    }
  }

  auto keep_not_started = [&](Error error) -> Error {
    if (auto marked = deps_.pledges.mark_not_started(pledge.id); !marked) {
      deps_.log.event("error", "could not mark pledge not_started: " + marked.error().message,
                      {{"pledge_id", json_quoted(pledge.id)}});
    }
    return error;
  };
  if (deps_.stripe == nullptr) {
    return keep_not_started(checkout_unavailable(pledge.id, "Online checkout is not configured on this server.",
                                                 kNotConfiguredRetryAfterSeconds));
  }
  // The fee is part of the price: one line item of `charged`, every month for a monthly gift.
  stripe::CheckoutRequest checkout{pledge.id,      campaign.slug,   campaign.title,
                                   pledge.charged, pledge.currency, pledge.frequency == Frequency::monthly,
                                   pledge.email,   deps_.public_url};
  auto session = stripe::create_checkout_session(*deps_.stripe, checkout);
  if (!session) {
    if (session.error().code != ErrorCode::unavailable) return keep_not_started(session.error());
    deps_.log.event("warn", session.error().message, {{"pledge_id", json_quoted(pledge.id)}});
    return keep_not_started(checkout_unavailable(pledge.id, "The payment provider could not be reached.",
                                                 kStripeRetryAfterSeconds));
  }
  if (auto attached = deps_.pledges.attach_checkout_session(pledge.id, session->id, session->url); !attached) {
    return attached.error();
  }
  return StartedPledge{started(pledge, campaign.slug, session->url), false};
}

}  // namespace pledged
