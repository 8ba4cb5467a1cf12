#include "pledged/admin/campaign_admin.hpp"

#include <nlohmann/json.hpp>

#include "pledged/core/crypto.hpp"

namespace pledged {
namespace {

constexpr const char* kOfflineGiftScope = "offline_gifts";
constexpr int kCreatedStatus = 201;

}  // namespace

std::string offline_gift_json(const OfflineGiftRecorded& recorded) {
  const OfflineGift& gift = recorded.gift;
  return nlohmann::json{{"id", recorded.id},
                        {"campaign", recorded.campaign_slug},
                        {"kind", "offline_gift"},
                        {"amount", gift.amount.minor_units()},
                        {"currency", gift.amount.currency()},
                        {"method", to_string(gift.method)},
                        {"received_at", format_rfc3339(gift.received_at)}}
      .dump();
}

Result<Campaign> CampaignAdmin::create_campaign(const CampaignFields& input, const AuditActor& actor,
                                                const UnreadableFields& unreadable) {
  auto campaign = refuse_unreadable(validate_new_campaign(input), unreadable);
  if (!campaign) return campaign.error();
  return admin_.create_campaign(*campaign, actor);
}

Result<Campaign> CampaignAdmin::create_campaign(const CampaignDraft& draft, const AuditActor& actor) {
  auto campaign = validate_campaign_draft(draft);
  if (!campaign) return campaign.error();
  return admin_.create_campaign(*campaign, actor);
}

Result<Campaign> CampaignAdmin::update_campaign(const std::string& slug, const CampaignPatch& patch,
                                                const AuditActor& actor, const UnreadableFields& unreadable) {
  return admin_.update_campaign(
      slug,
      [&](const Campaign& current) { return refuse_unreadable(apply_campaign_patch(current, patch), unreadable); },
      actor);
}

Result<OfflineGiftAnswer> CampaignAdmin::record_offline_gift(const OfflineGiftCall& call, Timestamp now) {
  if (auto key = check_idempotency_key(call.idempotency_key, /*required=*/false); !key) return key.error();
  auto campaign = campaigns_.find_by_slug(call.slug);
  if (!campaign) return campaign.error();
  if (!*campaign) return make_error(ErrorCode::not_found, "no campaign with that slug");
  auto gift = refuse_unreadable(validate_offline_gift(call.input, **campaign, now), call.unreadable);
  if (!gift) return gift.error();
  const auto answer = [&](std::int64_t id) { return offline_gift_json({id, (*campaign)->slug, *gift}); };
  if (!call.idempotency_key) {
    auto id = admin_.record_offline_gift(**campaign, *gift, call.actor);
    if (!id) return id.error();
    return OfflineGiftAnswer{answer(*id), false};
  }

  // The slug is part of what the key stands for: the same body for another campaign is another request.
  const AdminRepository::KeptGiftAnswer kept{
      {kOfflineGiftScope, *call.idempotency_key, sha256_hex(call.slug + "\n" + call.body)}, kCreatedStatus, answer};
  auto claim = idempotency_.claim(kept.scope, "");
  if (!claim) return claim.error();
  if (claim->outcome == ClaimOutcome::replay) return OfflineGiftAnswer{claim->response_body, true};
  if (claim->outcome != ClaimOutcome::claimed) return idempotency_refusal(claim->outcome);
  // Claimed (or resumed after an attempt that never committed: the gift and the kept
  // answer commit together, so a resumed key has no gift yet).
  auto id = admin_.record_offline_gift(**campaign, *gift, call.actor, &kept);
  if (!id) {
    (void)idempotency_.release(kept.scope);
    return id.error();
  }
  return OfflineGiftAnswer{answer(*id), false};
}

Result<std::vector<AuditRecord>> CampaignAdmin::audit_log(int limit, std::int64_t before_id) {
  return admin_.audit_log(limit, before_id);
}

}  // namespace pledged
