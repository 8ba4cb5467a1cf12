#include "pledged/db/progress_repository.hpp"

#include "campaign_row.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kLoadAllProgress = "progress_load_all";

// raised: every ledger entry is signed, so the plain sum is money received and kept.
// gifts and donors: the entries that brought money in (payments and offline gifts).
constexpr const char* kLoadAllProgressSql =
    "SELECT " PLEDGED_CAMPAIGN_COLUMNS ", "
    "  coalesce(t.raised, 0), coalesce(t.donors, 0), coalesce(t.gifts, 0), "
    "  extract(epoch FROM greatest(c.updated_at, t.last_recorded))::bigint "
    "FROM campaigns c LEFT JOIN ("
    "  SELECT campaign_id, sum(amount)::bigint AS raised, "
    "    count(DISTINCT coalesce(donor_key, 'entry:' || id)) "
    "      FILTER (WHERE kind IN ('payment', 'offline_gift')) AS donors, "
    "    count(*) FILTER (WHERE kind IN ('payment', 'offline_gift')) AS gifts, "
    "    max(recorded_at) AS last_recorded "
    "  FROM ledger_entries GROUP BY campaign_id"
    ") t ON t.campaign_id = c.id "
    "ORDER BY c.id";

}  // namespace

std::vector<PreparedStatement> ProgressRepository::statements() {
  return {{kLoadAllProgress, kLoadAllProgressSql}};
}

Result<std::vector<CampaignWithTotals>> ProgressRepository::load_all() {
  return pool_.transact(
      [](Tx& tx) {
        std::vector<CampaignWithTotals> all;
        for (const auto& row : tx.exec_prepared(kLoadAllProgress)) {
          CampaignTotals totals{row[kCampaignColumnCount].as<std::int64_t>(),
                                row[kCampaignColumnCount + 1].as<std::int64_t>(),
                                row[kCampaignColumnCount + 2].as<std::int64_t>()};
          const Timestamp last_change(std::chrono::seconds(row[kCampaignColumnCount + 3].as<std::int64_t>()));
          all.push_back(CampaignWithTotals{campaign_from_row(row), totals, last_change});
        }
        return all;
      },
      Retry::if_broken, TxMode::read_only);
}

}  // namespace pledged
