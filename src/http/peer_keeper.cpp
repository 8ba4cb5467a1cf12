#include "pledged/http/peer_keeper.hpp"

#include <algorithm>

namespace pledged {

namespace {

// The whole table of connections is looked through once in this many events: it can
// hold a thousand idle connections, and a closed one costs only its memory meanwhile.
constexpr std::uint32_t kEventsPerFullSweep = 256;

bool only_ours(const std::shared_ptr<Pistache::Tcp::Peer>& peer) { return peer.use_count() == 1; }

}  // namespace

void PeerKeeper::keep(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  connected_.try_emplace(peer.get(), peer);  // copies the reference only the first time
}

void PeerKeeper::hung_up(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  const auto kept = connected_.find(peer.get());
  if (kept == connected_.end()) return;
  hung_up_.push_back(std::move(kept->second));
  connected_.erase(kept);
}

void PeerKeeper::release_unused() {
  if (!hung_up_.empty()) hung_up_.erase(std::remove_if(hung_up_.begin(), hung_up_.end(), only_ours), hung_up_.end());
  if (++events_ % kEventsPerFullSweep != 0) return;
  for (auto kept = connected_.begin(); kept != connected_.end();) {
    kept = only_ours(kept->second) ? connected_.erase(kept) : std::next(kept);
  }
}

}  // namespace pledged
