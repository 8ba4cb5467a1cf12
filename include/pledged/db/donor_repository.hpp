#pragma once
// Donor self-service's storage (migration 0013): sign-in links and sessions, stored by
// the SHA-256 of their secrets; the donor's gifts and monthly gifts read by donor key;
// the sign-in email and the "receipts again" copies queued in the outbox.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pledged/core/result.hpp"
#include "pledged/core/time.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/domain/donor.hpp"

namespace pledged {

struct DonorSessionRow {
  std::string donor_key;
  std::string csrf_token;
  Timestamp expires_at;
};

struct NewDonorLink {
  std::string donor_key;
  std::string token_hash;  // hex SHA-256 of the token in the link
  std::string link_url;    // the link itself, for the email only
  Timestamp created_at;
  Timestamp expires_at;
};

class DonorRepository {
 public:
  explicit DonorRepository(ConnectionPool& pool) : pool_(pool) {}
  static std::vector<PreparedStatement> statements();

  // In one transaction, only when the donor key has a gift on the ledger: the link
  // (hashed) and its email in the outbox. false when the key never gave (nothing is
  // written). Links that ended more than a day ago are deleted on the way.
  Result<bool> create_link(const NewDonorLink& link);
  // Marks the link used and returns its donor key, when it exists, was never used and
  // has not expired at `now`; nullopt otherwise (which of these is not told).
  Result<std::optional<std::string>> redeem_link(const std::string& token_hash, Timestamp now);

  Status open_session(const std::string& id_hash, const std::string& donor_key, const std::string& csrf_token,
                      Timestamp now, Timestamp expires_at);
  // The session, when it exists, is not revoked and has not expired at `now`.
  Result<std::optional<DonorSessionRow>> find_session(const std::string& id_hash, Timestamp now);
  Status revoke_session(const std::string& id_hash, Timestamp now);

  // Every ledger movement filed under the donor key (gifts, refunds, disputes).
  Result<std::vector<DonorMovement>> movements(const std::string& donor_key);
  // The donor's latest name on a pledge or an offline gift, "" when none.
  Result<std::string> latest_name(const std::string& donor_key);
  // The donor's monthly pledges that ever started (a subscription exists).
  Result<std::vector<DonorMonthlyGift>> monthly_gifts(const std::string& donor_key);
  // The Stripe customer of the donor's own monthly pledge; nullopt when the pledge is
  // not theirs, not monthly, or has no customer yet.
  Result<std::optional<std::string>> portal_customer(const std::string& donor_key, const std::string& pledge_id);
  // A copy of every receipt the donor was sent, queued again under `batch` (one batch a
  // day: asking twice in a day queues nothing more). How many were queued.
  Result<std::int64_t> queue_receipt_copies(const std::string& donor_key, const std::string& batch);

 private:
  ConnectionPool& pool_;
};

}  // namespace pledged
