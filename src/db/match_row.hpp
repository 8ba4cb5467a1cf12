#pragma once
// Private to src/db: a match with what it earned, read from a row laid out as
// PLEDGED_MATCH_COLUMNS + the earned sum. Progress, reports and the admin routes read
// matches this one way, so they show the same figure.
#include <pqxx/pqxx>

#include "pledged/domain/match.hpp"

namespace pledged {

#define PLEDGED_MATCH_COLUMNS                                                                 \
  "m.id, m.campaign_id, m.sponsor, m.ratio, m.cap, m.currency, coalesce(m.per_gift_cap, 0), " \
  "extract(epoch FROM m.starts_at)::bigint, extract(epoch FROM m.ends_at)::bigint, m.applies_to"
constexpr int kMatchColumnCount = 10;

// Every match of every campaign that has one, with its earned sum (migration 0011's
// match_allocations: never past the cap), in creation order per campaign.
#define PLEDGED_ALL_MATCH_STANDINGS_SQL                                                                        \
  "WITH earned AS (SELECT a.match_id, sum(a.allocated) AS earned "                                             \
  "  FROM (SELECT DISTINCT campaign_id FROM matches) c CROSS JOIN LATERAL match_allocations(c.campaign_id) a " \
  "  GROUP BY a.match_id) "                                                                                    \
  "SELECT " PLEDGED_MATCH_COLUMNS                                                                              \
  ", coalesce(e.earned, 0)::bigint "                                                                           \
  "FROM matches m LEFT JOIN earned e ON e.match_id = m.id ORDER BY m.campaign_id, m.position"

// The matches of campaign $1, the same way.
#define PLEDGED_CAMPAIGN_MATCH_STANDINGS_SQL                                                    \
  "WITH earned AS (SELECT a.match_id, sum(a.allocated) AS earned FROM match_allocations($1) a " \
  "  GROUP BY a.match_id) "                                                                     \
  "SELECT " PLEDGED_MATCH_COLUMNS                                                               \
  ", coalesce(e.earned, 0)::bigint "                                                            \
  "FROM matches m LEFT JOIN earned e ON e.match_id = m.id WHERE m.campaign_id = $1 ORDER BY m.position"

inline MatchScope match_scope_from_text(const std::string& text) {
  if (text == "once") return MatchScope::once;
  if (text == "first_monthly") return MatchScope::first_monthly;
  return MatchScope::all;
}

inline Match match_from_row(const pqxx::row& row) {
  auto cap = Money::of(row[4].as<std::int64_t>(), row[5].as<std::string>());
  if (!cap) throw std::runtime_error("match row has an unsupported currency");
  const auto per_gift_cap = row[6].as<std::int64_t>();
  return Match{row[0].as<std::string>(),
               row[1].as<std::int64_t>(),
               row[2].as<std::string>(),
               row[3].as<std::int64_t>(),
               *cap,
               per_gift_cap > 0 ? std::optional<std::int64_t>(per_gift_cap) : std::nullopt,
               Timestamp(std::chrono::seconds(row[7].as<std::int64_t>())),
               Timestamp(std::chrono::seconds(row[8].as<std::int64_t>())),
               match_scope_from_text(row[9].as<std::string>())};
}

inline MatchStanding match_standing_from_row(const pqxx::row& row) {
  return MatchStanding{match_from_row(row), row[kMatchColumnCount].as<std::int64_t>()};
}

}  // namespace pledged
