#include "pledged/admin/campaign_admin.hpp"

namespace pledged {

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

Result<OfflineGiftRecorded> CampaignAdmin::record_offline_gift(const std::string& slug, const OfflineGiftFields& input,
                                                               const AuditActor& actor, Timestamp now,
                                                               const UnreadableFields& unreadable) {
  auto campaign = campaigns_.find_by_slug(slug);
  if (!campaign) return campaign.error();
  if (!*campaign) return make_error(ErrorCode::not_found, "no campaign with that slug");
  auto gift = refuse_unreadable(validate_offline_gift(input, **campaign, now), unreadable);
  if (!gift) return gift.error();
  auto id = admin_.record_offline_gift(**campaign, *gift, actor);
  if (!id) return id.error();
  return OfflineGiftRecorded{*id, (*campaign)->slug, *gift};
}

Result<std::vector<AuditRecord>> CampaignAdmin::audit_log(int limit, std::int64_t before_id) {
  return admin_.audit_log(limit, before_id);
}

}  // namespace pledged
