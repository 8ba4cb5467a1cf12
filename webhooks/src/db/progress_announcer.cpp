#include "progress_announcer.hpp"

#include "pledged/db/sql.hpp"
#include "stripe_ledger_repository.hpp"

namespace pledged::webhooks {

ProgressAnnouncer::ProgressAnnouncer(ConnectionPool& pool, std::chrono::milliseconds interval)
    : pool_(pool), interval_(interval), thread_([this] { run(); }) {}

ProgressAnnouncer::~ProgressAnnouncer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ProgressAnnouncer::changed() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pending_) return;
    pending_ = true;
  }
  wake_.notify_one();
}

void ProgressAnnouncer::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return pending_ || stopping_; });
    if (!pending_) return;
    pending_ = false;
    lock.unlock();
    // Committed money is safe whatever happens here: if the NOTIFY fails, every
    // instance's banner still reloads within its periodic refresh.
    (void)pool_.transact([](Tx& tx) { StripeLedgerRepository::announce_progress(tx); }, Retry::if_broken);
    lock.lock();
    // What commits from now on waits for the next NOTIFY, one interval later at most.
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace pledged::webhooks
