#include "pledged/db/donor_repository.hpp"

#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kForgetOldLinks = "donor_forget_old_links";
constexpr const char* kCreateLink = "donor_create_link";
constexpr const char* kRedeemLink = "donor_redeem_link";
constexpr const char* kOpenSession = "donor_open_session";
constexpr const char* kFindSession = "donor_find_session";
constexpr const char* kRevokeSession = "donor_revoke_session";
constexpr const char* kMovements = "donor_movements";
constexpr const char* kLatestName = "donor_latest_name";
constexpr const char* kMonthlyGifts = "donor_monthly_gifts";
constexpr const char* kPortalCustomer = "donor_portal_customer";
constexpr const char* kQueueReceiptCopies = "donor_queue_receipt_copies";

// A pledge's donor key, as the ledger files its gifts.
#define PLEDGED_PLEDGE_DONOR_KEY " lower(btrim(p.donor_email)) "

std::int64_t seconds(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp from_seconds(const pqxx::field& field) { return Timestamp(std::chrono::seconds(field.as<std::int64_t>())); }

}  // namespace

std::vector<PreparedStatement> DonorRepository::statements() {
  return {
      {kForgetOldLinks, "DELETE FROM donor_links WHERE expires_at < to_timestamp($1) - interval '1 day'"},
      // The link and its email, or nothing at all when the key has no gift: the caller
      // cannot tell a donor from a stranger by anything but this statement's result,
      // which it never shows.
      {kCreateLink,
       "WITH link AS ("
       "  INSERT INTO donor_links (token_hash, donor_key, created_at, expires_at) "
       "  SELECT $1, $2, to_timestamp($4), to_timestamp($5) "
       "  WHERE EXISTS (SELECT 1 FROM ledger_entries WHERE donor_key = $2 AND kind IN ('payment', 'offline_gift')) "
       "  RETURNING token_hash, donor_key, created_at) "
       "INSERT INTO email_outbox (kind, movement, recipient, donor_name, campaign_title, amount, currency, "
       "  occurred_at, summary) "
       "SELECT 'donor_link', 'donor_link:' || token_hash, donor_key, '', '', 0, 'xxx', created_at, $3 FROM link "
       "RETURNING id"},
      {kRedeemLink,
       "UPDATE donor_links SET used_at = to_timestamp($2) "
       "WHERE token_hash = $1 AND used_at IS NULL AND expires_at > to_timestamp($2) RETURNING donor_key"},
      {kOpenSession,
       "INSERT INTO donor_sessions (id_hash, donor_key, csrf_token, created_at, expires_at) "
       "VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($5))"},
      {kFindSession,
       "SELECT donor_key, csrf_token, extract(epoch FROM expires_at)::bigint FROM donor_sessions "
       "WHERE id_hash = $1 AND revoked_at IS NULL AND expires_at > to_timestamp($2)"},
      {kRevokeSession,
       "UPDATE donor_sessions SET revoked_at = to_timestamp($2) WHERE id_hash = $1 AND revoked_at IS NULL"},
      {kMovements,
       "SELECT extract(epoch FROM l.occurred_at)::bigint, c.title, l.kind, l.amount, l.currency, l.frequency "
       "FROM staff_ledger l JOIN campaigns c ON c.id = l.campaign_id "
       "WHERE l.donor_key = $1 ORDER BY l.occurred_at, l.id"},
      {kLatestName,
       "SELECT coalesce((SELECT donor_name FROM staff_ledger WHERE donor_key = $1 AND coalesce(donor_name, '') <> '' "
       "  ORDER BY occurred_at DESC, id DESC LIMIT 1), '')"},
      // The next charge: the subscription's period end as its latest event told it, or,
      // before any such event, a month after the latest installment.
      {kMonthlyGifts,
       "SELECT p.id, c.title, coalesce(p.subscription_amount, p.charged), p.currency, p.status, "
       "  p.subscription_cancel_at_end, extract(epoch FROM coalesce(p.subscription_period_end, "
       "    (SELECT max(l.occurred_at) FROM ledger_entries l WHERE l.pledge_id = p.id AND l.kind = 'payment') "
       "      + interval '1 month'))::bigint, "
       "  p.stripe_customer_id IS NOT NULL "
       "FROM pledges p JOIN campaigns c ON c.id = p.campaign_id "
       "WHERE" PLEDGED_PLEDGE_DONOR_KEY "= $1 AND p.frequency = 'monthly' AND p.stripe_subscription_id IS NOT NULL "
       "ORDER BY p.created_at, p.id"},
      {kPortalCustomer,
       "SELECT p.stripe_customer_id FROM pledges p "
       "WHERE p.id = $2 AND" PLEDGED_PLEDGE_DONOR_KEY "= $1 AND p.frequency = 'monthly' "
       "  AND p.stripe_customer_id IS NOT NULL"},
      // Copies of the receipts (never of copies), each under the batch's key.
      {kQueueReceiptCopies,
       "INSERT INTO email_outbox (kind, movement, ledger_entry_id, recipient, donor_name, campaign_title, amount, "
       "  currency, occurred_at) "
       "SELECT 'receipt', 'copy:' || $2 || ':' || o.movement, o.ledger_entry_id, o.recipient, o.donor_name, "
       "  o.campaign_title, o.amount, o.currency, o.occurred_at "
       "FROM email_outbox o WHERE o.kind = 'receipt' AND lower(btrim(o.recipient)) = $1 "
       "  AND o.movement NOT LIKE 'copy:%' "
       "ON CONFLICT (movement, kind) DO NOTHING"},
  };
}

Result<bool> DonorRepository::create_link(const NewDonorLink& link) {
  return pool_.transact([&](Tx& tx) {
    tx.exec_prepared(kForgetOldLinks, seconds(link.created_at));
    return !tx.exec_prepared(kCreateLink, link.token_hash, link.donor_key, link.link_url, seconds(link.created_at),
                             seconds(link.expires_at))
                .empty();
  });
}

Result<std::optional<std::string>> DonorRepository::redeem_link(const std::string& token_hash, Timestamp now) {
  return pool_.transact([&](Tx& tx) -> std::optional<std::string> {
    const auto rows = tx.exec_prepared(kRedeemLink, token_hash, seconds(now));
    if (rows.empty()) return std::nullopt;
    return rows[0][0].as<std::string>();
  });
}

Status DonorRepository::open_session(const std::string& id_hash, const std::string& donor_key,
                                     const std::string& csrf_token, Timestamp now, Timestamp expires_at) {
  return pool_.transact([&](Tx& tx) {
    tx.exec_prepared(kOpenSession, id_hash, donor_key, csrf_token, seconds(now), seconds(expires_at));
  });
}

Result<std::optional<DonorSessionRow>> DonorRepository::find_session(const std::string& id_hash, Timestamp now) {
  return pool_.transact(
      [&](Tx& tx) -> std::optional<DonorSessionRow> {
        const auto rows = tx.exec_prepared(kFindSession, id_hash, seconds(now));
        if (rows.empty()) return std::nullopt;
        return DonorSessionRow{rows[0][0].as<std::string>(), rows[0][1].as<std::string>(), from_seconds(rows[0][2])};
      },
      Retry::if_broken, TxMode::read_only);
}

Status DonorRepository::revoke_session(const std::string& id_hash, Timestamp now) {
  return pool_.transact([&](Tx& tx) { tx.exec_prepared(kRevokeSession, id_hash, seconds(now)); });
}

Result<std::vector<DonorMovement>> DonorRepository::movements(const std::string& donor_key) {
  return pool_.transact(
      [&](Tx& tx) {
        std::vector<DonorMovement> movements;
        for (const auto& row : tx.exec_prepared(kMovements, donor_key)) {
          movements.push_back(DonorMovement{from_seconds(row[0]), row[1].as<std::string>(), row[2].as<std::string>(),
                                            row[3].as<std::int64_t>(), row[4].as<std::string>(),
                                            row[5].as<std::string>()});
        }
        return movements;
      },
      Retry::if_broken, TxMode::read_only);
}

Result<std::string> DonorRepository::latest_name(const std::string& donor_key) {
  return pool_.transact([&](Tx& tx) { return tx.exec_prepared1(kLatestName, donor_key)[0].as<std::string>(); },
                        Retry::if_broken, TxMode::read_only);
}

Result<std::vector<DonorMonthlyGift>> DonorRepository::monthly_gifts(const std::string& donor_key) {
  return pool_.transact(
      [&](Tx& tx) {
        std::vector<DonorMonthlyGift> gifts;
        for (const auto& row : tx.exec_prepared(kMonthlyGifts, donor_key)) {
          DonorMonthlyGift gift;
          gift.pledge_id = row[0].as<std::string>();
          gift.campaign = row[1].as<std::string>();
          gift.amount = row[2].as<std::int64_t>();
          gift.currency = row[3].as<std::string>();
          gift.status = row[4].as<std::string>();
          gift.ends_at_period_end = row[5].as<bool>();
          if (!row[6].is_null()) gift.period_end = from_seconds(row[6]);
          gift.can_manage = row[7].as<bool>();
          gifts.push_back(std::move(gift));
        }
        return gifts;
      },
      Retry::if_broken, TxMode::read_only);
}

Result<std::optional<std::string>> DonorRepository::portal_customer(const std::string& donor_key,
                                                                    const std::string& pledge_id) {
  return pool_.transact(
      [&](Tx& tx) -> std::optional<std::string> {
        const auto rows = tx.exec_prepared(kPortalCustomer, donor_key, pledge_id);
        if (rows.empty()) return std::nullopt;
        return rows[0][0].as<std::string>();
      },
      Retry::if_broken, TxMode::read_only);
}

Result<std::int64_t> DonorRepository::queue_receipt_copies(const std::string& donor_key, const std::string& batch) {
  return pool_.transact(
      [&](Tx& tx) -> std::int64_t { return tx.exec_prepared(kQueueReceiptCopies, donor_key, batch).affected_rows(); });
}

}  // namespace pledged
