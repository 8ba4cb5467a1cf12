#pragma once
// Times cross every boundary (API, database, CLI) as RFC 3339 in UTC.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pledged {

using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

Timestamp now_utc();

// "2026-12-31T23:59:59Z"
std::string format_rfc3339(Timestamp t);

// Accepts "Z" or a numeric offset, with optional fractional seconds (dropped).
std::optional<Timestamp> parse_rfc3339(std::string_view text);

// "2026-12-31" -> midnight UTC at the start of that day.
std::optional<Timestamp> parse_date(std::string_view text);

}  // namespace pledged
