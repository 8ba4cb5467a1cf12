#pragma once
// What staff (admin role) and the command line do to campaigns and the ledger by
// hand: create and change campaigns, record offline gifts, read the audit log.
// Every change is checked here and written with its audit_log row in one
// transaction (AdminRepository). No HTTP here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/admin_repository.hpp"
#include "pledged/db/campaign_repository.hpp"
#include "pledged/db/idempotency_repository.hpp"
#include "pledged/domain/admin_changes.hpp"
#include "pledged/domain/audit.hpp"
#include "pledged/domain/campaign.hpp"

namespace pledged {

struct OfflineGiftRecorded {
  std::int64_t id = 0;  // the ledger entry's
  std::string campaign_slug;
  OfflineGift gift;
};

// The route's 201 body for a recorded gift, also kept for Idempotency-Key replays.
std::string offline_gift_json(const OfflineGiftRecorded& recorded);

// What the admin sent to record an offline gift.
struct OfflineGiftCall {
  std::string slug;
  OfflineGiftFields input;
  std::optional<std::string> idempotency_key;  // optional, with the pledge route's rules
  std::string body;                            // the raw request body, hashed for the key
  AuditActor actor;
  UnreadableFields unreadable;
};

// The answer's body (offline_gift_json), and whether it is the first answer to the same
// Idempotency-Key again.
struct OfflineGiftAnswer {
  std::string body;
  bool replayed = false;
};

class CampaignAdmin {
 public:
  CampaignAdmin(AdminRepository& admin, CampaignRepository& campaigns, IdempotencyRepository& idempotency)
      : admin_(admin), campaigns_(campaigns), idempotency_(idempotency) {}

  // The admin route's create. conflict when the slug is taken.
  Result<Campaign> create_campaign(const CampaignFields& input, const AuditActor& actor,
                                   const UnreadableFields& unreadable = {});
  // `pledged campaign create`: the same audited write, from the command line's draft.
  Result<Campaign> create_campaign(const CampaignDraft& draft, const AuditActor& actor);

  // not_found for an unknown slug; slug and currency never change.
  Result<Campaign> update_campaign(const std::string& slug, const CampaignPatch& patch, const AuditActor& actor,
                                   const UnreadableFields& unreadable = {});

  // A gift received outside Stripe (a check, a transfer), in the campaign's currency.
  // A repeat with the same Idempotency-Key and body answers the first answer and
  // records nothing; bad_request, validation_failed or conflict for the key as on
  // the pledge route.
  Result<OfflineGiftAnswer> record_offline_gift(const OfflineGiftCall& call, Timestamp now);

  // Newest first; `before_id` pages backwards (0: newest).
  Result<std::vector<AuditRecord>> audit_log(int limit, std::int64_t before_id);

 private:
  AdminRepository& admin_;
  CampaignRepository& campaigns_;
  IdempotencyRepository& idempotency_;
};

}  // namespace pledged
