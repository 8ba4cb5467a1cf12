#pragma once
// Reading campaigns. Creating and changing them is an admin action with its audit
// row: AdminRepository, through the CampaignAdmin use case.
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

  Result<std::optional<Campaign>> find_by_slug(const std::string& slug);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
