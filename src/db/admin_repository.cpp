#include "pledged/db/admin_repository.hpp"

#include "audit_trail.hpp"
#include "campaign_row.hpp"
#include "pledged/db/email_outbox_repository.hpp"
#include "pledged/db/sql.hpp"

namespace pledged {
namespace {

constexpr const char* kCreateCampaign = "admin_campaign_insert";
constexpr const char* kLockCampaign = "admin_campaign_lock";
constexpr const char* kUpdateCampaign = "admin_campaign_update";
constexpr const char* kInsertOfflineGift = "admin_offline_gift_insert";
constexpr const char* kAuditPage = "admin_audit_page";

// Campaign columns, then the row as JSON for the audit log.
#define PLEDGED_CAMPAIGN_AND_JSON PLEDGED_CAMPAIGN_COLUMNS ", to_jsonb(c)::text"

}  // namespace

std::vector<PreparedStatement> AdminRepository::statements() {
  auto all = audit_statements();
  const std::vector<PreparedStatement> own{
      {kCreateCampaign,
       "INSERT INTO campaigns AS c (slug, title, currency, goal, starts_at, ends_at) "
       "VALUES ($1, $2, $3, $4, to_timestamp($5::bigint), to_timestamp($6::bigint)) "
       "ON CONFLICT (slug) DO NOTHING RETURNING " PLEDGED_CAMPAIGN_AND_JSON},
      {kLockCampaign, "SELECT " PLEDGED_CAMPAIGN_AND_JSON " FROM campaigns c WHERE c.slug = $1 FOR UPDATE"},
      {kUpdateCampaign,
       "UPDATE campaigns AS c SET title = $2, goal = $3, starts_at = to_timestamp($4::bigint), "
       "ends_at = to_timestamp($5::bigint), updated_at = now() WHERE c.id = $1 RETURNING " PLEDGED_CAMPAIGN_AND_JSON},
      {kInsertOfflineGift,
       "INSERT INTO ledger_entries AS l (campaign_id, kind, amount, currency, donor_key, donor_name, offline_method, "
       "  note, occurred_at) "
       "VALUES ($1, 'offline_gift', $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, NULLIF($7, ''), "
       "  to_timestamp($8::bigint)) RETURNING l.id, to_jsonb(l)::text"},
      {kAuditPage,
       "SELECT id, extract(epoch FROM at)::bigint, actor, action, coalesce(target, ''), "
       "  coalesce(host(client_ip), ''), coalesce(before::text, ''), coalesce(after::text, '') "
       "FROM audit_log WHERE ($2::bigint = 0 OR id < $2::bigint) ORDER BY id DESC LIMIT $1"},
  };
  all.insert(all.end(), own.begin(), own.end());
  for (const auto& statement : IdempotencyRepository::completion_statements()) all.push_back(statement);
  for (const auto& statement : EmailOutboxRepository::statements()) all.push_back(statement);
  return all;
}

Result<Campaign> AdminRepository::create_campaign(const Campaign& campaign, const AuditActor& actor) {
  auto created = pool_.transact([&](Tx& tx) {
    const auto rows = tx.exec_prepared(kCreateCampaign, campaign.slug, campaign.title, campaign.goal.currency(),
                                       campaign.goal.minor_units(), campaign.starts_at.time_since_epoch().count(),
                                       campaign.ends_at.time_since_epoch().count());
    if (rows.empty()) return std::optional<Campaign>();
    append_audit(tx, actor, "campaign.create", campaign.slug, "", rows[0][kCampaignColumnCount].as<std::string>());
    return std::optional<Campaign>(campaign_from_row(rows[0]));
  });
  if (!created) return created.error();
  if (!*created) return make_error(ErrorCode::conflict, "a campaign with slug " + campaign.slug + " already exists");
  return **created;
}

Result<Campaign> AdminRepository::update_campaign(const std::string& slug, const CampaignChange& change,
                                                  const AuditActor& actor) {
  std::optional<Error> refused;  // why the change was not made, when it was not
  auto updated = pool_.transact([&](Tx& tx) {
    const auto current = tx.exec_prepared(kLockCampaign, slug);
    if (current.empty()) {
      refused = make_error(ErrorCode::not_found, "no campaign with that slug");
      return std::optional<Campaign>();
    }
    auto next = change(campaign_from_row(current[0]));
    if (!next) {
      refused = next.error();
      return std::optional<Campaign>();
    }
    const auto rows = tx.exec_prepared(kUpdateCampaign, next->id, next->title, next->goal.minor_units(),
                                       next->starts_at.time_since_epoch().count(),
                                       next->ends_at.time_since_epoch().count());
    append_audit(tx, actor, "campaign.update", slug, current[0][kCampaignColumnCount].as<std::string>(),
                 rows[0][kCampaignColumnCount].as<std::string>());
    return std::optional<Campaign>(campaign_from_row(rows[0]));
  });
  if (!updated) return updated.error();
  if (refused) return *refused;
  return **updated;
}

Result<std::int64_t> AdminRepository::record_offline_gift(const Campaign& campaign, const OfflineGift& gift,
                                                          const AuditActor& actor, const KeptGiftAnswer* kept) {
  return pool_.transact([&](Tx& tx) {
    const auto row = tx.exec_prepared1(kInsertOfflineGift, campaign.id, gift.amount.minor_units(),
                                       gift.amount.currency(), gift.donor_key, gift.donor_name, to_string(gift.method),
                                       gift.note, gift.received_at.time_since_epoch().count());
    const auto id = row[0].as<std::int64_t>();
    EmailOutboxRepository::queue_offline_gift(tx, id);
    append_audit(tx, actor, "offline_gift.create", campaign.slug + "#" + std::to_string(id), "",
                 row[1].as<std::string>());
    if (kept != nullptr) IdempotencyRepository::complete_in(tx, kept->scope, kept->status, kept->body(id));
    return id;
  });
}

Result<std::vector<AuditRecord>> AdminRepository::audit_log(int limit, std::int64_t before_id) {
  return pool_.transact(
      [&](Tx& tx) {
        std::vector<AuditRecord> records;
        for (const auto& row : tx.exec_prepared(kAuditPage, limit, before_id)) {
          records.push_back(AuditRecord{row[0].as<std::int64_t>(),
                                        Timestamp(std::chrono::seconds(row[1].as<std::int64_t>())),
                                        row[2].as<std::string>(), row[3].as<std::string>(), row[4].as<std::string>(),
                                        row[5].as<std::string>(), row[6].as<std::string>(), row[7].as<std::string>()});
        }
        return records;
      },
      Retry::if_broken, TxMode::read_only);
}

}  // namespace pledged
