#include "pledged/domain/match.hpp"

#include <algorithm>

namespace pledged {
namespace {

constexpr std::int64_t kMinRatio = 1;
constexpr std::int64_t kMaxRatio = 1000;
constexpr std::size_t kMaxSponsorLength = 200;
// A promise beyond this is a typo (a trillion cents); it also keeps sums far from int64's end.
constexpr std::int64_t kMaxCap = 999999999999;

bool has_control_characters(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c == ' '; });
}

std::optional<MatchScope> parse_scope(const std::string& text) {
  if (text == "once") return MatchScope::once;
  if (text == "first_monthly") return MatchScope::first_monthly;
  if (text == "all" || text.empty()) return MatchScope::all;
  return std::nullopt;
}

const char* kCapProblem = "must be a positive integer in the currency's minor unit (at most 999999999999)";

}  // namespace

const char* to_string(MatchScope scope) {
  switch (scope) {
    case MatchScope::once: return "once";
    case MatchScope::first_monthly: return "first_monthly";
    case MatchScope::all: return "all";
  }
  return "all";
}

std::int64_t MatchStanding::remaining() const { return std::max<std::int64_t>(0, match.cap.minor_units() - earned); }

bool MatchStanding::active_at(Timestamp now) const {
  return match.starts_at <= now && now <= match.ends_at && remaining() > 0;
}

Result<Match> validate_new_match(const MatchFields& fields, const Campaign& campaign) {
  Error error{ErrorCode::validation_failed, "the match has invalid fields", {}};
  if (fields.sponsor.empty() || blank(fields.sponsor) || fields.sponsor.size() > kMaxSponsorLength ||
      has_control_characters(fields.sponsor)) {
    error.fields["sponsor"] = "must be 1-200 characters, not blank, without control characters";
  }
  if (!fields.ratio || *fields.ratio < kMinRatio || *fields.ratio > kMaxRatio) {
    error.fields["ratio"] = "must be an integer percent from 1 to 1000 (100 matches one to one)";
  }
  if (!fields.cap || *fields.cap <= 0 || *fields.cap > kMaxCap) error.fields["cap"] = kCapProblem;
  if (fields.per_gift_cap && (*fields.per_gift_cap <= 0 || *fields.per_gift_cap > kMaxCap)) {
    error.fields["per_gift_cap"] = kCapProblem;
  }
  const std::string currency = fields.currency.empty() ? campaign.goal.currency() : fields.currency;
  if (currency != campaign.goal.currency()) {
    error.fields["currency"] = "must be the campaign's currency (" + campaign.goal.currency() + ")";
  }
  const auto scope = parse_scope(fields.applies_to);
  if (!scope) error.fields["applies_to"] = "must be once, first_monthly or all";
  const auto starts = fields.starts_at.empty() ? campaign.starts_at : parse_boundary(fields.starts_at, false);
  const auto ends = fields.ends_at.empty() ? campaign.ends_at : parse_boundary(fields.ends_at, true);
  if (!starts) {
    error.fields["starts_at"] = "must be a date or an RFC 3339 time";
  } else if (*starts < campaign.starts_at || *starts > campaign.ends_at) {
    error.fields["starts_at"] = "must be inside the campaign (" + format_rfc3339(campaign.starts_at) + " to " +
                                format_rfc3339(campaign.ends_at) + ")";
  }
  if (!ends) {
    error.fields["ends_at"] = "must be a date or an RFC 3339 time";
  } else if (*ends > campaign.ends_at || *ends < campaign.starts_at) {
    error.fields["ends_at"] = "must be inside the campaign (" + format_rfc3339(campaign.starts_at) + " to " +
                              format_rfc3339(campaign.ends_at) + ")";
  } else if (starts && *ends <= *starts) {
    error.fields["ends_at"] = "must be after starts_at";
  }
  if (!error.fields.empty()) return error;
  auto cap = Money::of(*fields.cap, currency);
  if (!cap) return cap.error();
  return Match{"", campaign.id, fields.sponsor, *fields.ratio, *cap, fields.per_gift_cap, *starts, *ends, *scope};
}

Result<Match> apply_match_patch(const Match& current, const MatchPatch& patch, const Campaign& campaign) {
  Error error{ErrorCode::validation_failed, "the match has invalid fields", {}};
  Match next = current;
  if (patch.cap) {
    if (*patch.cap <= 0 || *patch.cap > kMaxCap) {
      error.fields["cap"] = kCapProblem;
    } else if (auto cap = Money::of(*patch.cap, current.cap.currency())) {
      next.cap = *cap;
    }
  }
  if (patch.ends_at) {
    const auto ends = parse_boundary(*patch.ends_at, true);
    if (!ends) {
      error.fields["ends_at"] = "must be a date or an RFC 3339 time";
    } else if (*ends > campaign.ends_at) {
      error.fields["ends_at"] = "must be inside the campaign (ends " + format_rfc3339(campaign.ends_at) + ")";
    } else if (*ends <= current.starts_at) {
      error.fields["ends_at"] = "must be after starts_at (" + format_rfc3339(current.starts_at) + ")";
    } else {
      next.ends_at = *ends;
    }
  }
  if (!error.fields.empty()) return error;
  return next;
}

std::int64_t total_matched(const std::vector<MatchStanding>& standings) {
  std::int64_t total = 0;
  for (const auto& standing : standings) total += std::min(standing.earned, standing.match.cap.minor_units());
  return total;
}

std::optional<MatchOffer> banner_match(const std::vector<MatchStanding>& standings, Timestamp now) {
  for (const auto& standing : standings) {
    if (standing.active_at(now)) return MatchOffer{standing.match.sponsor, standing.match.ratio, standing.remaining()};
  }
  return std::nullopt;
}

}  // namespace pledged
