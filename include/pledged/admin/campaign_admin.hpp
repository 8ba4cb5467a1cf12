#pragma once
// What staff (admin role) and the command line do to campaigns and the ledger by
// hand: create and change campaigns, record offline gifts, read the audit log.
// Every change is checked here and written with its audit_log row in one
// transaction (AdminRepository). No HTTP here.
#include <cstdint>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/admin_repository.hpp"
#include "pledged/db/campaign_repository.hpp"
#include "pledged/domain/admin_changes.hpp"
#include "pledged/domain/audit.hpp"
#include "pledged/domain/campaign.hpp"

namespace pledged {

struct OfflineGiftRecorded {
  std::int64_t id = 0;  // the ledger entry's
  std::string campaign_slug;
  OfflineGift gift;
};

class CampaignAdmin {
 public:
  CampaignAdmin(AdminRepository& admin, CampaignRepository& campaigns) : admin_(admin), campaigns_(campaigns) {}

  // The admin route's create. conflict when the slug is taken.
  Result<Campaign> create_campaign(const CampaignFields& input, const AuditActor& actor,
                                   const UnreadableFields& unreadable = {});
  // `pledged campaign create`: the same audited write, from the command line's draft.
  Result<Campaign> create_campaign(const CampaignDraft& draft, const AuditActor& actor);

  // not_found for an unknown slug; slug and currency never change.
  Result<Campaign> update_campaign(const std::string& slug, const CampaignPatch& patch, const AuditActor& actor,
                                   const UnreadableFields& unreadable = {});

  // A gift received outside Stripe (a check, a transfer), in the campaign's currency.
  Result<OfflineGiftRecorded> record_offline_gift(const std::string& slug, const OfflineGiftFields& input,
                                                  const AuditActor& actor, Timestamp now,
                                                  const UnreadableFields& unreadable = {});

  // Newest first; `before_id` pages backwards (0: newest).
  Result<std::vector<AuditRecord>> audit_log(int limit, std::int64_t before_id);

 private:
  AdminRepository& admin_;
  CampaignRepository& campaigns_;
};

}  // namespace pledged
