#include "pledged/db/progress_repository.hpp"

#include <map>

#include "campaign_row.hpp"
#include "match_row.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kLoadAllProgress = "progress_load_all";
constexpr const char* kLoadOneProgress = "progress_load_one";
constexpr const char* kLoadAllMatches = "progress_load_all_matches";
constexpr const char* kLoadCampaignMatches = "progress_load_campaign_matches";

// The totals that migration 0016 keeps as the ledger changes, a few rows (shards) per
// campaign: what this reads stays the same size however long the ledger grows.
#define PLEDGED_PROGRESS_COLUMNS                                           \
  "SELECT " PLEDGED_CAMPAIGN_COLUMNS                                       \
  ", "                                                                     \
  "  coalesce(t.raised, 0), coalesce(t.donors, 0), coalesce(t.gifts, 0), " \
  "  extract(epoch FROM greatest(c.updated_at, t.last_recorded))::bigint "
#define PLEDGED_SHARD_SUMS                                           \
  "  sum(raised)::bigint AS raised, sum(donors)::bigint AS donors, " \
  "    sum(gifts)::bigint AS gifts, max(last_recorded) AS last_recorded "

constexpr const char* kLoadAllProgressSql = PLEDGED_PROGRESS_COLUMNS
    "FROM campaigns c LEFT JOIN ("
    "  SELECT campaign_id, " PLEDGED_SHARD_SUMS
    "  FROM campaign_totals GROUP BY campaign_id"
    ") t ON t.campaign_id = c.id "
    "ORDER BY c.id";

constexpr const char* kLoadOneProgressSql = PLEDGED_PROGRESS_COLUMNS
    "FROM campaigns c LEFT JOIN LATERAL ("
    "  SELECT " PLEDGED_SHARD_SUMS
    "FROM campaign_totals WHERE campaign_id = c.id"
    ") t ON true "
    "WHERE c.slug = $1";

CampaignWithTotals campaign_with_totals(const pqxx::row& row) {
  CampaignTotals totals{row[kCampaignColumnCount].as<std::int64_t>(), row[kCampaignColumnCount + 1].as<std::int64_t>(),
                        row[kCampaignColumnCount + 2].as<std::int64_t>()};
  const Timestamp last_change(std::chrono::seconds(row[kCampaignColumnCount + 3].as<std::int64_t>()));
  return CampaignWithTotals{campaign_from_row(row), totals, last_change, {}};
}

}  // namespace

std::vector<PreparedStatement> ProgressRepository::statements() {
  return {{kLoadAllProgress, kLoadAllProgressSql},
          {kLoadOneProgress, kLoadOneProgressSql},
          {kLoadAllMatches, PLEDGED_ALL_MATCH_STANDINGS_SQL},
          {kLoadCampaignMatches, PLEDGED_CAMPAIGN_MATCH_STANDINGS_SQL}};
}

Result<std::vector<CampaignWithTotals>> ProgressRepository::load_all() {
  return pool_.transact(
      [](Tx& tx) {
        std::vector<CampaignWithTotals> all;
        std::map<std::int64_t, std::size_t> by_id;
        for (const auto& row : tx.exec_prepared(kLoadAllProgress)) {
          all.push_back(campaign_with_totals(row));
          by_id[all.back().campaign.id] = all.size() - 1;
        }
        // In the same snapshot as the sums: raised and matched move together.
        for (const auto& row : tx.exec_prepared(kLoadAllMatches)) {
          auto standing = match_standing_from_row(row);
          const auto found = by_id.find(standing.match.campaign_id);
          if (found != by_id.end()) all[found->second].matches.push_back(std::move(standing));
        }
        return all;
      },
      Retry::if_broken, TxMode::snapshot);
}

Result<std::optional<CampaignWithTotals>> ProgressRepository::load_one(const std::string& slug) {
  return pool_.transact(
      [&](Tx& tx) {
        const auto rows = tx.exec_prepared(kLoadOneProgress, slug);
        if (rows.empty()) return std::optional<CampaignWithTotals>();
        auto found = campaign_with_totals(rows[0]);
        for (const auto& row : tx.exec_prepared(kLoadCampaignMatches, found.campaign.id)) {
          found.matches.push_back(match_standing_from_row(row));
        }
        return std::optional<CampaignWithTotals>(std::move(found));
      },
      Retry::if_broken, TxMode::snapshot);
}

}  // namespace pledged
