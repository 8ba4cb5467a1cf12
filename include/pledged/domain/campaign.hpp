#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/domain/money.hpp"

namespace pledged {

enum class CampaignStatus { scheduled, active, ended };
const char* to_string(CampaignStatus status);

struct Campaign {
  std::int64_t id = 0;
  std::string slug;
  std::string title;
  Money goal;
  Timestamp starts_at;
  Timestamp ends_at;  // the last second of the campaign (inclusive)

  // Gifts are accepted from starts_at through ends_at, both included.
  CampaignStatus status_at(Timestamp now) const;
};

// What a person asks for when creating a campaign, before it is checked.
struct CampaignDraft {
  std::string slug;
  std::string title;
  std::string currency;
  std::string goal_major;  // "50000.00", as typed
  std::string starts;      // RFC 3339, or a date meaning the start of that day (UTC)
  std::string ends;        // RFC 3339, or a date meaning the end of that day (UTC)
};

// A window's boundary as the API takes it: RFC 3339, or a bare date meaning the whole
// day (starts at 00:00:00, ends at 23:59:59 UTC).
std::optional<Timestamp> parse_boundary(const std::string& text, bool end_of_day);

// All invalid fields at once in Error::fields.
Result<Campaign> validate_campaign_draft(const CampaignDraft& draft);

}  // namespace pledged
