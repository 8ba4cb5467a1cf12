#include "pledged/domain/report.hpp"

#include <algorithm>
#include <cctype>

namespace pledged {
namespace {

constexpr std::size_t kMaxTimeZoneLength = 64;
constexpr std::int64_t kSecondsPerDay = 86400;
constexpr int kPaceDays = 7;
// Long enough for any campaign plus its run-up; keeps a by_day list bounded.
constexpr long long kMaxRangeDays = 3 * 366;

std::optional<std::string> checked_date(const std::optional<std::string>& text, const std::string& fallback,
                                        const char* field, Error& error) {
  const std::string value = text ? *text : fallback;
  if (value.size() != 10 || !parse_date(value)) {
    error.fields[field] = "must be a date such as 2026-11-01";
    return std::nullopt;
  }
  return value;
}

}  // namespace

bool looks_like_time_zone(const std::string& name) {
  if (name.empty() || name.size() > kMaxTimeZoneLength || name.front() == '/' || name.back() == '/') return false;
  if (name.find("..") != std::string::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' || c == '/';
  });
}

Result<ReportRange> parse_report_range(const std::optional<std::string>& from, const std::optional<std::string>& to,
                                       const std::optional<std::string>& time_zone, const std::string& default_from,
                                       const std::string& default_to) {
  Error error{ErrorCode::validation_failed, "the report's query has invalid fields", {}};
  const auto first = checked_date(from, default_from, "from", error);
  const auto last = checked_date(to, default_to, "to", error);
  const std::string zone = time_zone ? *time_zone : "UTC";
  if (!looks_like_time_zone(zone)) error.fields["tz"] = "must be an IANA time zone such as America/New_York";
  if (first && last) {
    const auto days = (*parse_date(*last) - *parse_date(*first)).count() / kSecondsPerDay;
    if (days < 0) error.fields["to"] = "must not be before from";
    if (days > kMaxRangeDays) error.fields["to"] = "must be at most 3 years after from";
  }
  if (!error.fields.empty()) return error;
  return ReportRange{*first, *last, zone};
}

std::int64_t average_gift(std::int64_t gross, std::int64_t gifts) {
  if (gifts <= 0) return 0;
  return (gross + gifts / 2) / gifts;
}

PaceProjection project_pace(std::int64_t raised, std::int64_t goal, std::int64_t net_last_7_days, Timestamp now,
                            Timestamp ends_at) {
  PaceProjection pace;
  pace.per_day = net_last_7_days / kPaceDays;
  const std::int64_t seconds_left = std::max<std::int64_t>(0, (ends_at - now).count());
  // Whole minor units: multiply before dividing so short remainders are not lost.
  pace.expected_at_end = raised + net_last_7_days * seconds_left / (kPaceDays * kSecondsPerDay);
  if (raised >= goal) {
    pace.goal_reached_at = now;
    pace.goal_reached_before_end = true;
  } else if (net_last_7_days > 0) {
    const std::int64_t seconds_needed = (goal - raised) * kPaceDays * kSecondsPerDay / net_last_7_days;
    pace.goal_reached_at = now + std::chrono::seconds(seconds_needed);
    pace.goal_reached_before_end = *pace.goal_reached_at <= ends_at;
  }
  return pace;
}

}  // namespace pledged
