#include "pledged/db/campaign_repository.hpp"

#include "campaign_row.hpp"
#include "pool_impl.hpp"

namespace pledged {
namespace {

constexpr const char* kInsertCampaign = "campaign_insert";
constexpr const char* kFindCampaignBySlug = "campaign_find_by_slug";

}  // namespace

std::vector<PreparedStatement> CampaignRepository::statements() {
  return {
      {kInsertCampaign,
       "INSERT INTO campaigns AS c (slug, title, currency, goal, starts_at, ends_at) "
       "VALUES ($1, $2, $3, $4, to_timestamp($5), to_timestamp($6)) "
       "ON CONFLICT (slug) DO NOTHING RETURNING " PLEDGED_CAMPAIGN_COLUMNS},
      {kFindCampaignBySlug, "SELECT " PLEDGED_CAMPAIGN_COLUMNS " FROM campaigns c WHERE c.slug = $1"},
  };
}

Result<Campaign> CampaignRepository::insert(const Campaign& campaign) {
  auto inserted = with_connection<std::optional<Campaign>>(pool_, [&](pqxx::connection& connection) {
    pqxx::work tx(connection);
    const auto rows = tx.exec_prepared(kInsertCampaign, campaign.slug, campaign.title, campaign.goal.currency(),
                                       campaign.goal.minor_units(), campaign.starts_at.time_since_epoch().count(),
                                       campaign.ends_at.time_since_epoch().count());
    tx.commit();
    return rows.empty() ? std::nullopt : std::optional<Campaign>(campaign_from_row(rows[0]));
  });
  if (!inserted) return inserted.error();
  if (!*inserted) return make_error(ErrorCode::conflict, "a campaign with slug " + campaign.slug + " already exists");
  return **inserted;
}

Result<std::optional<Campaign>> CampaignRepository::find_by_slug(const std::string& slug) {
  return with_connection<std::optional<Campaign>>(
      pool_,
      [&](pqxx::connection& connection) {
        pqxx::read_transaction tx(connection);
        const auto rows = tx.exec_prepared(kFindCampaignBySlug, slug);
        return rows.empty() ? std::nullopt : std::optional<Campaign>(campaign_from_row(rows[0]));
      },
      /*retry_if_broken=*/true);
}

}  // namespace pledged
