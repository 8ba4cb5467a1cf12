#pragma once
// Reads a campaign from a row laid out as kCampaignColumns.
#include <pqxx/pqxx>

#include "pledged/domain/campaign.hpp"

namespace pledged {

#define PLEDGED_CAMPAIGN_COLUMNS \
  "c.id, c.slug, c.title, c.currency, c.goal, extract(epoch FROM c.starts_at)::bigint, extract(epoch FROM c.ends_at)::bigint"
constexpr int kCampaignColumnCount = 7;

// `first`: the column the campaign's columns start at (after another table's).
inline Campaign campaign_from_row(const pqxx::row& row, int first = 0) {
  auto goal = Money::of(row[first + 4].as<std::int64_t>(), row[first + 3].as<std::string>());
  if (!goal) throw std::runtime_error("campaign row has an unsupported currency");
  return Campaign{row[first].as<std::int64_t>(),
                  row[first + 1].as<std::string>(),
                  row[first + 2].as<std::string>(),
                  *goal,
                  Timestamp(std::chrono::seconds(row[first + 5].as<std::int64_t>())),
                  Timestamp(std::chrono::seconds(row[first + 6].as<std::int64_t>()))};
}

}  // namespace pledged
