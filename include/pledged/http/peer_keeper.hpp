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
// A peer thus outlives its hang-up until the reactor's next input or hang-up, so it is
// gone before the reactor reads a request from a new connection (which may have the
// same descriptor number). Meanwhile a worker still answering the client that hung up
// can reach the peer, as it could while Pistache's table held it; its answer is queued
// by descriptor number (Exchange::deliver_from_worker), which Pistache drops when no
// connection has that number. (Like Pistache's own ResponseWriter, it would go to a new
// connection that reused the number in between: a gap of Pistache 0.0.5's design that
// the keeper does not close.)
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

  // On each input, before the request is read; only the first call keeps anything.
  // Not in onConnection: Pistache hands a new peer over through a lock-free queue, and
  // TSan sees the reactor ordered after the listener's creation of the peer only once
  // the reactor has drained that queue (and read its eventfd); a reference-count copy
  // in onConnection was reported as racing with the peer's allocation (2026-12-07,
  // WebhookOrderOverHttp). A connection that sends nothing is never read by our code,
  // so whoever frees it, nothing of ours is in the way.
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
