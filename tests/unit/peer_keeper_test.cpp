#include "pledged/http/peer_keeper.hpp"

#include <gtest/gtest.h>
#include <pistache/net.h>
#include <pistache/peer.h>
#include <sys/socket.h>
#include <unistd.h>

using Pistache::Tcp::Peer;
using pledged::PeerKeeper;

namespace {

// A peer around one end of a socket pair; the other end is closed at once.
std::shared_ptr<Peer> make_peer() {
  int ends[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends), 0);
  ::close(ends[1]);
  return Peer::Create(ends[0], Pistache::Address("127.0.0.1", Pistache::Port(0)));
}

}  // namespace

// The rule the keeper exists for: its reference is dropped only when it is the last
// one, so whoever else held the peer (Pistache's listener, its table, a worker) never
// frees it; the keeper, on the reactor, does.
TEST(PeerKeeper, AHungUpPeerIsFreedByTheKeeperOnceNothingElseHoldsIt) {
  PeerKeeper keeper;
  auto table = make_peer();  // the reactor's table of connections
  std::weak_ptr<Peer> watch = table;
  auto listener = table;  // the listener thread, which has not dropped its reference yet
  keeper.keep(table);
  keeper.hung_up(table);
  table.reset();  // Pistache's table lets go after onDisconnection
  keeper.release_unused();
  EXPECT_FALSE(watch.expired()) << "the listener still holds it";
  listener.reset();  // the listener's drop is not the last
  EXPECT_FALSE(watch.expired());
  keeper.release_unused();
  EXPECT_TRUE(watch.expired()) << "freed by the keeper's own drop";
  EXPECT_EQ(keeper.size(), 0u);
}

TEST(PeerKeeper, AConnectedPeerIsKeptWhileItsConnectionLasts) {
  PeerKeeper keeper;
  auto table = make_peer();
  keeper.keep(table);
  for (int event = 0; event < 1000; ++event) keeper.release_unused();
  EXPECT_EQ(keeper.size(), 1u);
  EXPECT_EQ(table.use_count(), 2);
}

// Pistache's keep-alive and request timeouts remove a peer from its table without
// calling onDisconnection: the keeper finds such a peer on a later full sweep rather
// than keeping it for ever.
TEST(PeerKeeper, APeerClosedWithoutAHangUpIsFreedByALaterSweep) {
  PeerKeeper keeper;
  auto table = make_peer();
  std::weak_ptr<Peer> watch = table;
  keeper.keep(table);
  table.reset();
  for (int event = 0; event < 1000 && !watch.expired(); ++event) keeper.release_unused();
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(keeper.size(), 0u);
}

TEST(PeerKeeper, AHandlerCloneStartsWithNothingKept) {
  PeerKeeper keeper;
  auto peer = make_peer();
  keeper.keep(peer);
  const PeerKeeper clone(keeper);
  EXPECT_EQ(clone.size(), 0u);
  EXPECT_EQ(keeper.size(), 1u);
}
