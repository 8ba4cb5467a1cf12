#include "pledged/domain/campaign.hpp"

#include <algorithm>
#include <optional>

#include "pledged/domain/currency.hpp"

namespace pledged {
namespace {

constexpr std::size_t kMaxSlugLength = 64;
constexpr std::size_t kMaxTitleLength = 200;

bool is_valid_slug(const std::string& slug) {
  if (slug.empty() || slug.size() > kMaxSlugLength) return false;
  if (slug.front() == '-' || slug.back() == '-') return false;
  return std::all_of(slug.begin(), slug.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

}  // namespace

std::optional<Timestamp> parse_boundary(const std::string& text, bool end_of_day) {
  if (auto exact = parse_rfc3339(text)) return exact;
  auto day = parse_date(text);
  if (!day) return std::nullopt;
  return end_of_day ? *day + std::chrono::hours(24) - std::chrono::seconds(1) : *day;
}

const char* to_string(CampaignStatus status) {
  switch (status) {
    case CampaignStatus::scheduled: return "scheduled";
    case CampaignStatus::active: return "active";
    case CampaignStatus::ended: return "ended";
  }
  return "ended";
}

CampaignStatus Campaign::status_at(Timestamp now) const {
  if (now < starts_at) return CampaignStatus::scheduled;
  if (now > ends_at) return CampaignStatus::ended;
  return CampaignStatus::active;
}

Result<Campaign> validate_campaign_draft(const CampaignDraft& draft) {
  Error error{ErrorCode::validation_failed, "the campaign has invalid fields", {}};
  if (!is_valid_slug(draft.slug)) {
    error.fields["slug"] = "must be 1-64 characters of a-z, 0-9 and inner hyphens";
  }
  if (draft.title.empty() || draft.title.size() > kMaxTitleLength) {
    error.fields["title"] = "must be 1-200 characters";
  }
  auto goal = Money::parse_major(draft.goal_major, draft.currency);
  if (!find_currency(draft.currency)) {
    error.fields["currency"] = "must be a supported lowercase ISO 4217 code such as usd";
  } else if (!goal) {
    error.fields["goal"] = goal.error().message;
  } else if (goal->minor_units() <= 0) {
    error.fields["goal"] = "must be greater than zero";
  }
  const auto starts = parse_boundary(draft.starts, false);
  const auto ends = parse_boundary(draft.ends, true);
  if (!starts) error.fields["starts_at"] = "must be a date (2026-11-15) or an RFC 3339 time";
  if (!ends) error.fields["ends_at"] = "must be a date (2026-12-31) or an RFC 3339 time";
  if (starts && ends && *ends <= *starts) error.fields["ends_at"] = "must be after starts_at";
  if (!error.fields.empty()) return error;

  return Campaign{0, draft.slug, draft.title, *goal, *starts, *ends};
}

}  // namespace pledged
