#pragma once
// What staff with the admin role may change, and the checks on it: campaigns
// created or edited over HTTP, and gifts received outside Stripe.
#include <cstdint>
#include <optional>
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/domain/campaign.hpp"
#include "pledged/domain/money.hpp"

namespace pledged {

// A new campaign as the API sends it: goal in minor units. All invalid fields at once.
struct CampaignFields {
  std::string slug;
  std::string title;
  std::string currency;
  std::optional<std::int64_t> goal;
  std::string starts_at;
  std::string ends_at;
};
Result<Campaign> validate_new_campaign(const CampaignFields& fields);

// PATCH: only the fields present change; slug and currency never do.
struct CampaignPatch {
  std::optional<std::string> title;
  std::optional<std::int64_t> goal;
  std::optional<std::string> starts_at;
  std::optional<std::string> ends_at;
};
Result<Campaign> apply_campaign_patch(const Campaign& current, const CampaignPatch& patch);

enum class OfflineMethod { check, bank_transfer, cash, other };
const char* to_string(OfflineMethod method);

struct OfflineGiftFields {
  std::optional<std::int64_t> amount;
  std::string currency;
  std::string name;
  std::string email;
  std::string received_at;  // RFC 3339 or a date; empty means now
  std::string method;
  std::string note;
};

struct OfflineGift {
  Money amount;
  std::string donor_name;  // "" when not given
  std::string donor_key;   // lower-cased email, "" when not given
  Timestamp received_at;
  OfflineMethod method = OfflineMethod::other;
  std::string note;
};

// The gift must be in the campaign's currency and not dated in the future.
Result<OfflineGift> validate_offline_gift(const OfflineGiftFields& fields, const Campaign& campaign, Timestamp now);

}  // namespace pledged
