#pragma once
// The webhook path's banner announcement (the money itself: StripeEffectRepository).
#include <string>
#include <vector>

#include "pledged/core/time.hpp"
#include "pledged/db/sql.hpp"
#include "pledged/webhooks/event_handlers.hpp"
#include "stripe_pledge_repository.hpp"

namespace pledged::webhooks {

class StripeLedgerRepository {
 public:
  static std::vector<PreparedStatement> statements();

  // The webhook path's announcement that money changed, sent after the commits it
  // covers, coalesced by ProgressAnnouncer. The ledger trigger's own NOTIFY stays
  // silent in the webhook transactions (StripePledgeRepository::find_for_update
  // promises this announcement instead; migration 0003). If the process dies before
  // it, every banner's periodic reload still picks the money up.
  static void announce_progress(Tx& tx);
};

}  // namespace pledged::webhooks
