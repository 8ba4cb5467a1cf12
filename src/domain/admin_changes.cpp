#include "pledged/domain/admin_changes.hpp"

#include <algorithm>
#include <cctype>

#include "pledged/domain/currency.hpp"

namespace pledged {
namespace {

constexpr std::int64_t kMaxOfflineAmount = 99999999;
constexpr std::size_t kMaxNameLength = 200;
constexpr std::size_t kMaxEmailLength = 254;
constexpr std::size_t kMaxNoteLength = 1000;
// A clock a little ahead on the staff member's machine is not a gift from the future.
constexpr std::chrono::minutes kFutureSlack{10};

// The goal as validate_campaign_draft reads it (major units), or "" when unusable.
std::string goal_as_major(const std::optional<std::int64_t>& goal, const std::string& currency) {
  if (!goal) return "";
  auto money = Money::of(*goal, currency);
  return money ? money->to_major_string() : "";
}

Result<Campaign> validate_with_goal(const CampaignDraft& draft, const std::optional<std::int64_t>& goal) {
  auto campaign = validate_campaign_draft(draft);
  Error error = campaign ? Error{ErrorCode::validation_failed, "the campaign has invalid fields", {}} : campaign.error();
  // The draft speaks major units; the API speaks minor units, so say it that way.
  if (!goal || *goal <= 0) {
    error.fields["goal"] = "must be a positive integer in the currency's minor unit (cents)";
  } else if (error.fields.count("goal")) {
    error.fields["goal"] = "must be a positive integer in the currency's minor unit (cents)";
  }
  if (!error.fields.empty()) return error;
  return campaign;
}

bool plausible_email(const std::string& email) {
  const auto at = email.find('@');
  return email.size() <= kMaxEmailLength && at != std::string::npos && at > 0 && at + 1 < email.size() &&
         email.find('@', at + 1) == std::string::npos &&
         std::none_of(email.begin(), email.end(), [](unsigned char c) { return std::isspace(c) || c < 0x20; });
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::optional<OfflineMethod> parse_method(const std::string& text) {
  if (text == "check") return OfflineMethod::check;
  if (text == "bank_transfer") return OfflineMethod::bank_transfer;
  if (text == "cash") return OfflineMethod::cash;
  if (text == "other") return OfflineMethod::other;
  return std::nullopt;
}

}  // namespace

Result<Campaign> validate_new_campaign(const CampaignFields& fields) {
  const CampaignDraft draft{fields.slug, fields.title, fields.currency, goal_as_major(fields.goal, fields.currency),
                            fields.starts_at, fields.ends_at};
  return validate_with_goal(draft, fields.goal);
}

Result<Campaign> apply_campaign_patch(const Campaign& current, const CampaignPatch& patch) {
  const auto goal = patch.goal ? patch.goal : std::optional<std::int64_t>(current.goal.minor_units());
  const CampaignDraft draft{current.slug,
                            patch.title.value_or(current.title),
                            current.goal.currency(),
                            goal_as_major(goal, current.goal.currency()),
                            patch.starts_at.value_or(format_rfc3339(current.starts_at)),
                            patch.ends_at.value_or(format_rfc3339(current.ends_at))};
  auto campaign = validate_with_goal(draft, goal);
  if (!campaign) return campaign;
  campaign->id = current.id;
  return campaign;
}

const char* to_string(OfflineMethod method) {
  switch (method) {
    case OfflineMethod::check: return "check";
    case OfflineMethod::bank_transfer: return "bank_transfer";
    case OfflineMethod::cash: return "cash";
    case OfflineMethod::other: return "other";
  }
  return "other";
}

Result<OfflineGift> validate_offline_gift(const OfflineGiftFields& fields, const Campaign& campaign, Timestamp now) {
  Error error{ErrorCode::validation_failed, "the offline gift has invalid fields", {}};
  if (!fields.amount || *fields.amount < 1 || *fields.amount > kMaxOfflineAmount) {
    error.fields["amount"] = "must be an integer from 1 to 99999999 in the currency's minor unit";
  }
  if (fields.currency != campaign.goal.currency()) {
    error.fields["currency"] = "must be the campaign's currency (" + campaign.goal.currency() + ")";
  }
  if (fields.name.size() > kMaxNameLength) error.fields["name"] = "must be at most 200 characters";
  if (!fields.email.empty() && !plausible_email(fields.email)) {
    error.fields["email"] = "must be a valid address of at most 254 characters";
  }
  const auto method = parse_method(fields.method);
  if (!method) error.fields["method"] = "must be check, bank_transfer, cash or other";
  if (fields.note.size() > kMaxNoteLength) error.fields["note"] = "must be at most 1000 characters";
  std::optional<Timestamp> received = now;
  if (!fields.received_at.empty()) {
    received = parse_rfc3339(fields.received_at);
    if (!received) received = parse_date(fields.received_at);
    if (!received) {
      error.fields["received_at"] = "must be an RFC 3339 time or a date";
    } else if (*received > now + kFutureSlack) {
      error.fields["received_at"] = "must not be in the future";
    }
  }
  if (!error.fields.empty()) return error;
  auto amount = Money::of(*fields.amount, fields.currency);
  if (!amount) return amount.error();
  return OfflineGift{*amount, fields.name, lower(fields.email), *received, *method, fields.note};
}

}  // namespace pledged
