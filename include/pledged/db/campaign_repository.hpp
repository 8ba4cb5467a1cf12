#pragma once
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/campaign.hpp"

namespace pledged {

class CampaignRepository {
 public:
  explicit CampaignRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // ErrorCode::conflict when the slug is taken.
  Result<Campaign> insert(const Campaign& campaign);
  Result<std::optional<Campaign>> find_by_slug(const std::string& slug);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
