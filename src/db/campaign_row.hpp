#pragma once
// Reads a campaign from a row laid out as kCampaignColumns.
#include <pqxx/pqxx>

#include "pledged/domain/campaign.hpp"

namespace pledged {

#define PLEDGED_CAMPAIGN_COLUMNS \
  "c.id, c.slug, c.title, c.currency, c.goal, extract(epoch FROM c.starts_at)::bigint, extract(epoch FROM c.ends_at)::bigint"
constexpr int kCampaignColumnCount = 7;

inline Campaign campaign_from_row(const pqxx::row& row) {
  auto goal = Money::of(row[4].as<std::int64_t>(), row[3].as<std::string>());
  if (!goal) throw std::runtime_error("campaign row has an unsupported currency");
  return Campaign{row[0].as<std::int64_t>(),
                  row[1].as<std::string>(),
                  row[2].as<std::string>(),
                  *goal,
                  Timestamp(std::chrono::seconds(row[5].as<std::int64_t>())),
                  Timestamp(std::chrono::seconds(row[6].as<std::int64_t>()))};
}

}  // namespace pledged
