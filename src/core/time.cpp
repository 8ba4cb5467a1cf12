#include "pledged/core/time.hpp"

#include <date/date.h>

#include <sstream>

namespace pledged {

Timestamp now_utc() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string format_rfc3339(Timestamp t) {
  // Log lines and snapshots ask for the same second many times over: formatting
  // through iostreams costs more than the rest of a banner request.
  thread_local Timestamp cached_time{};
  thread_local std::string cached_text;
  if (cached_text.empty() || t != cached_time) {
    cached_text = date::format("%FT%TZ", t);
    cached_time = t;
  }
  return cached_text;
}

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  // date::parse with %z wants "+hhmm"; RFC 3339 writes "Z" or "+hh:mm", so try each form.
  for (const char* format : {"%FT%TZ", "%FT%T%Ez"}) {
    std::istringstream in{std::string(text)};
    date::sys_time<std::chrono::milliseconds> parsed;
    in >> date::parse(format, parsed);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      return std::chrono::time_point_cast<std::chrono::seconds>(parsed);
    }
  }
  return std::nullopt;
}

std::optional<Timestamp> parse_date(std::string_view text) {
  std::istringstream in{std::string(text)};
  date::sys_days day;
  in >> date::parse("%F", day);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  return Timestamp(day);
}

}  // namespace pledged
