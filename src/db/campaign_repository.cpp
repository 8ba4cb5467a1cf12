#include "pledged/db/campaign_repository.hpp"

#include "campaign_row.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kFindCampaignBySlug = "campaign_find_by_slug";

}  // namespace

std::vector<PreparedStatement> CampaignRepository::statements() {
  return {
      {kFindCampaignBySlug, "SELECT " PLEDGED_CAMPAIGN_COLUMNS " FROM campaigns c WHERE c.slug = $1"},
  };
}

Result<std::optional<Campaign>> CampaignRepository::find_by_slug(const std::string& slug) {
  return pool_.transact(
      [&](Tx& tx) {
        const auto rows = tx.exec_prepared(kFindCampaignBySlug, slug);
        return rows.empty() ? std::nullopt : std::optional<Campaign>(campaign_from_row(rows[0]));
      },
      Retry::if_broken, TxMode::read_only);
}

}  // namespace pledged
