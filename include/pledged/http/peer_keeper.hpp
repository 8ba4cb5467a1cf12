#pragma once
// Holds a reference to every connection (Tcp::Peer) of one reactor, so that the
// connection is always freed on its reactor, in our code, once nothing else holds it.
//
// Pistache 0.0.5's listener accepts a connection, creates its Peer, hands it to a
// reactor and only then drops its own reference. When the listener thread is
// descheduled in between (measured on the 2-core machine: the listener still held it
// at the first request in one connection in six, at the hang-up in one in twenty),
// the reactor reads the request, answers it and sees the client hang up first; the
// listener's drop is then the last, and the connection's parser and request are freed
// on the listener thread. The reference counts order that correctly, but inside
// uninstrumented libpistache, so ThreadSanitizer sees our reactor's reads of the
// request (the route match) and then a free on another thread with nothing between:
// it stopped a CI run (exit 66) in StaffAuth.EveryStaffRouteChecksTheTokenAndTheRole.
// A suppression cannot name that free (it has no symbol), and naming our side would
// hide real races in route matching, so the free moves instead.
//
// The keeper's reference is dropped only once it is the last one, so the drop frees
// the peer here, in instrumented code, and TSan sees the order. Dropping it earlier
// does not help: any reference-count access of ours followed by Pistache's invisible
// last drop is again unordered against a worker's later free of the control block.
// A peer thus outlives its hang-up until the reactor's next event; the next connection
// on this reactor is one, so the peer is gone before a new connection (possibly with
// the same descriptor number) is served. Meanwhile a worker still answering the client
// that hung up can reach the peer, as it could while Pistache's table held it; its
// answer is queued by descriptor number (Exchange::deliver_from_worker) and dropped by
// Pistache when no connection has that number.
//
// One keeper per reactor (Pistache clones the handler per reactor thread); it is only
// touched on that thread, so it needs no lock.
#include <pistache/peer.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace pledged {

class PeerKeeper {
 public:
  PeerKeeper() = default;
  // A clone of the handler starts with nothing kept.
  PeerKeeper(const PeerKeeper&) {}
  PeerKeeper& operator=(const PeerKeeper&) = delete;

  // onConnection.
  void keep(const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  // onDisconnection, just before Pistache drops the peer from its table.
  void hung_up(const std::shared_ptr<Pistache::Tcp::Peer>& peer);
  // On each of the reactor's events: lets go of the hung-up peers nothing else holds,
  // and now and then of connected ones Pistache closed without telling the handler
  // (its keep-alive and request timeouts remove a peer directly).
  void release_unused();

  std::size_t size() const { return connected_.size() + hung_up_.size(); }

 private:
  std::unordered_map<const Pistache::Tcp::Peer*, std::shared_ptr<Pistache::Tcp::Peer>> connected_;
  std::vector<std::shared_ptr<Pistache::Tcp::Peer>> hung_up_;
  std::uint32_t events_ = 0;
};

}  // namespace pledged
