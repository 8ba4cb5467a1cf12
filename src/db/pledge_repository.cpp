#include "pledged/db/pledge_repository.hpp"

#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kInsertPledge = "pledge_insert";
constexpr const char* kFindPledge = "pledge_find_by_id";
constexpr const char* kFindStanding = "pledge_find_standing";
constexpr const char* kAttachCheckout = "pledge_attach_checkout";
constexpr const char* kMarkNotStarted = "pledge_mark_not_started";

// The columns both lookups start with: id, slug, amount, currency, frequency, status.
Pledge pledge_from_row(const pqxx::row& row) {
  Pledge pledge;
  pledge.id = row[0].as<std::string>();
  pledge.campaign_slug = row[1].as<std::string>();
  pledge.amount = row[2].as<std::int64_t>();
  pledge.currency = row[3].as<std::string>();
  pledge.frequency = row[4].as<std::string>() == "monthly" ? Frequency::monthly : Frequency::once;
  pledge.status = parse_pledge_status(row[5].as<std::string>()).value_or(PledgeStatus::pending);
  return pledge;
}

// fee and charged, the last two columns of both lookups (migration 0012).
void read_fee(const pqxx::row& row, int first, Pledge& pledge) {
  pledge.fee = row[first].as<std::int64_t>();
  pledge.charged = row[first + 1].as<std::int64_t>();
}

}  // namespace

std::vector<PreparedStatement> PledgeRepository::statements() {
  return {
      {kInsertPledge,
       "INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email, donor_name, "
       "anonymous, message, client_ip, digest_opt_in, fee) "
       "VALUES ($1, $2, $3, $4, $5, 'pending', $6, NULLIF($7, ''), $8, NULLIF($9, ''), NULLIF($10, '')::inet, $11, "
       "$12) "
       "ON CONFLICT (id) DO NOTHING"},
      {kFindPledge,
       "SELECT p.id, c.slug, p.amount, p.currency, p.frequency, p.status, coalesce(p.checkout_session_id, ''), "
       "coalesce(p.checkout_url, ''), p.fee, p.charged FROM pledges p JOIN campaigns c ON c.id = p.campaign_id WHERE "
       "p.id = $1"},
      {kFindStanding,
       "SELECT p.id, c.slug, p.amount, p.currency, p.frequency, p.status, "
       "EXISTS (SELECT 1 FROM ledger_entries l WHERE l.pledge_id = p.id AND l.kind = 'payment'), p.fee, p.charged "
       "FROM pledges p JOIN campaigns c ON c.id = p.campaign_id WHERE p.id = $1"},
      {kAttachCheckout,
       "UPDATE pledges SET checkout_session_id = $2, checkout_url = $3, updated_at = now(), "
       "status = CASE WHEN status = 'not_started' THEN 'pending' ELSE status END WHERE id = $1"},
      {kMarkNotStarted,
       "UPDATE pledges SET status = 'not_started', updated_at = now() "
       "WHERE id = $1 AND status = 'pending' AND checkout_session_id IS NULL"},
  };
}

Status PledgeRepository::insert(const NewPledge& pledge) {
  return pool_.transact([&](Tx& tx) {
    tx.exec_prepared(kInsertPledge, pledge.id, pledge.campaign_id, pledge.amount, pledge.currency,
                     std::string(to_string(pledge.frequency)), pledge.email, pledge.name, pledge.anonymous,
                     pledge.message, pledge.client_ip, pledge.digest_opt_in, pledge.fee);
  });
}

Result<std::optional<Pledge>> PledgeRepository::find_by_id(const std::string& id) {
  return pool_.transact(
      [&](Tx& tx) {
        const auto rows = tx.exec_prepared(kFindPledge, id);
        if (rows.empty()) return std::optional<Pledge>();
        auto pledge = pledge_from_row(rows[0]);
        pledge.checkout_session_id = rows[0][6].as<std::string>();
        pledge.checkout_url = rows[0][7].as<std::string>();
        read_fee(rows[0], 8, pledge);
        return std::optional<Pledge>(std::move(pledge));
      },
      Retry::if_broken, TxMode::read_only);
}

Result<std::optional<PledgeStanding>> PledgeRepository::find_standing(const std::string& id) {
  return pool_.transact(
      [&](Tx& tx) {
        const auto rows = tx.exec_prepared(kFindStanding, id);
        if (rows.empty()) return std::optional<PledgeStanding>();
        auto pledge = pledge_from_row(rows[0]);
        read_fee(rows[0], 7, pledge);
        return std::optional<PledgeStanding>(PledgeStanding{std::move(pledge), rows[0][6].as<bool>()});
      },
      Retry::if_broken, TxMode::read_only);
}

Status PledgeRepository::attach_checkout_session(const std::string& id, const std::string& session_id,
                                                 const std::string& url) {
  return pool_.transact([&](Tx& tx) { tx.exec_prepared(kAttachCheckout, id, session_id, url); },
                        Retry::if_broken);  // the same values again: safe to repeat
}

Status PledgeRepository::mark_not_started(const std::string& id) {
  return pool_.transact([&](Tx& tx) { tx.exec_prepared(kMarkNotStarted, id); }, Retry::if_broken);
}

}  // namespace pledged
