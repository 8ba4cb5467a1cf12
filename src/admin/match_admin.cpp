#include "pledged/admin/match_admin.hpp"

#include <nlohmann/json.hpp>

#include "pledged/core/crypto.hpp"

namespace pledged {
namespace {

constexpr const char* kMatchScope = "matches";
constexpr int kCreatedStatus = 201;
constexpr std::size_t kMatchIdRandomChars = 24;

}  // namespace

std::string match_json(const MatchStanding& standing, const std::string& campaign_slug, Timestamp now) {
  const Match& match = standing.match;
  return nlohmann::ordered_json{
      {"id", match.id},
      {"campaign", campaign_slug},
      {"sponsor", match.sponsor},
      {"ratio", match.ratio},
      {"cap", match.cap.minor_units()},
      {"per_gift_cap", match.per_gift_cap ? nlohmann::ordered_json(*match.per_gift_cap) : nlohmann::ordered_json()},
      {"currency", match.cap.currency()},
      {"starts_at", format_rfc3339(match.starts_at)},
      {"ends_at", format_rfc3339(match.ends_at)},
      {"applies_to", to_string(match.applies_to)},
      {"earned", standing.earned},
      {"remaining", standing.remaining()},
      {"active", standing.active_at(now)}}
      .dump();
}

Result<MatchAnswer> MatchAdmin::create(const MatchCreateCall& call, Timestamp now) {
  if (auto key = check_idempotency_key(call.idempotency_key, /*required=*/false); !key) return key.error();
  auto campaign = campaigns_.find_by_slug(call.slug);
  if (!campaign) return campaign.error();
  if (!*campaign) return make_error(ErrorCode::not_found, "no campaign with that slug");
  auto match = refuse_unreadable(validate_new_match(call.input, **campaign), call.unreadable);
  if (!match) return match.error();
  match->id = "mt_" + random_base62(kMatchIdRandomChars);
  const auto answer = [&](const MatchStanding& standing) { return match_json(standing, call.slug, now); };
  if (!call.idempotency_key) {
    auto created = matches_.create(call.slug, *match, call.actor);
    if (!created) return created.error();
    return MatchAnswer{answer(*created), false};
  }

  // The slug is part of what the key stands for: the same body for another campaign is another request.
  const MatchRepository::KeptAnswer kept{
      {kMatchScope, *call.idempotency_key, sha256_hex(call.slug + "\n" + call.body)}, kCreatedStatus, answer};
  auto claim = idempotency_.claim(kept.scope, match->id);
  if (!claim) return claim.error();
  if (claim->outcome == ClaimOutcome::replay) return MatchAnswer{claim->response_body, true};
  if (claim->outcome != ClaimOutcome::claimed) return idempotency_refusal(claim->outcome);
  // Claimed, or resumed after an attempt that never committed (the match and the kept
  // answer commit together): the key's id either way.
  match->id = claim->resource_id;
  auto created = matches_.create(call.slug, *match, call.actor, &kept);
  if (!created) {
    (void)idempotency_.release(kept.scope);
    return created.error();
  }
  return MatchAnswer{answer(*created), false};
}

Result<CampaignMatches> MatchAdmin::list(const std::string& slug) {
  auto campaign = campaigns_.find_by_slug(slug);
  if (!campaign) return campaign.error();
  if (!*campaign) return make_error(ErrorCode::not_found, "no campaign with that slug");
  auto standings = matches_.list((*campaign)->id);
  if (!standings) return standings.error();
  return CampaignMatches{slug, std::move(*standings)};
}

Result<CampaignMatches> MatchAdmin::update(const std::string& id, const MatchPatch& patch, const AuditActor& actor,
                                           const UnreadableFields& unreadable) {
  std::string slug;
  auto updated = matches_.update(
      id,
      [&](const Match& current, const Campaign& campaign) {
        slug = campaign.slug;
        return refuse_unreadable(apply_match_patch(current, patch, campaign), unreadable);
      },
      actor);
  if (!updated) return updated.error();
  return CampaignMatches{slug, {std::move(*updated)}};
}

}  // namespace pledged
