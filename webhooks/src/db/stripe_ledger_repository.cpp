#include "stripe_ledger_repository.hpp"

namespace pledged::webhooks {
namespace {

constexpr const char* kAnnounce = "stripe_ledger_announce";
constexpr const char* kAnnounceSql = "SELECT pg_notify('pledged_progress', '')";

}  // namespace

std::vector<PreparedStatement> StripeLedgerRepository::statements() { return {{kAnnounce, kAnnounceSql}}; }

void StripeLedgerRepository::announce_progress(Tx& tx) { tx.exec_prepared(kAnnounce); }

}  // namespace pledged::webhooks
