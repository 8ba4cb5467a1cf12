#pragma once
// The banner's "money changed" NOTIFY for the webhook path, coalesced: at most one per
// interval from this process however many events commit, sent from a thread of its
// own. A NOTIFY per event made every event's commit wait for PostgreSQL's one notify
// lock and a second WAL flush (docs/benchmarks.md, "Where an event's time went"); the
// banner needs only to hear, within its 2 s, that something changed.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "pledged/db/connection_pool.hpp"

namespace pledged::webhooks {

class ProgressAnnouncer {
 public:
  ProgressAnnouncer(ConnectionPool& pool, std::chrono::milliseconds interval);
  // Sends what is still pending (a `pledged reconcile` run ends here), then stops.
  ~ProgressAnnouncer();
  ProgressAnnouncer(const ProgressAnnouncer&) = delete;
  ProgressAnnouncer& operator=(const ProgressAnnouncer&) = delete;

  // Money was committed. The first change after a quiet spell is announced at once;
  // changes during the following interval are announced together when it ends.
  void changed();

 private:
  void run();

  ConnectionPool& pool_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace pledged::webhooks
