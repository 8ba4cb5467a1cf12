#include "stripe_ledger_repository.hpp"

namespace pledged::webhooks {
namespace {

constexpr const char* kRecord = "stripe_ledger_record";
constexpr const char* kRecordSql =
    "INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id, "
    "  stripe_event_id, occurred_at) "
    "VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7, $8, to_timestamp($9)) "
    "ON CONFLICT (kind, stripe_object_id) DO UPDATE SET "
    "  amount = least(ledger_entries.amount, excluded.amount), "
    "  occurred_at = least(ledger_entries.occurred_at, excluded.occurred_at) "
    "WHERE excluded.amount < ledger_entries.amount OR excluded.occurred_at < ledger_entries.occurred_at";

constexpr const char* kAnnounce = "stripe_ledger_announce";
constexpr const char* kAnnounceSql = "SELECT pg_notify('pledged_progress', '')";

}  // namespace

std::vector<PreparedStatement> StripeLedgerRepository::statements() {
  return {{kRecord, kRecordSql}, {kAnnounce, kAnnounceSql}};
}

void StripeLedgerRepository::announce_progress(Tx& tx) { tx.exec_prepared(kAnnounce); }

void StripeLedgerRepository::record(Tx& tx, const StripePledge& pledge, const LedgerMovement& movement,
                                    const std::string& event_id, Timestamp occurred_at) {
  tx.exec_prepared(kRecord, pledge.campaign_id, pledge.facts.id, to_string(movement.kind), movement.amount,
                   movement.currency, pledge.donor_key, movement.stripe_object_id, event_id,
                   static_cast<long long>(occurred_at.time_since_epoch().count()));
}

}  // namespace pledged::webhooks
