#pragma once
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/audit.hpp"
#include "pledged/domain/refund.hpp"
#include "pledged/domain/refund_gateway.hpp"

namespace pledged {

class RefundRepository {
 public:
  explicit RefundRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // nullopt when the pledge is unknown or has no payment in the ledger.
  Result<std::optional<RefundablePledge>> find_refundable(const std::string& pledge_id);

  // Writes the refund to the ledger keyed by its re_ id, with the audit row. The
  // webhook writes the same key, so whichever comes second changes nothing: the
  // refund counts once. Returns whether this call was the one that recorded it.
  Result<bool> record_refund(const RefundablePledge& pledge, const RefundReceipt& receipt, const AuditActor& actor);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
