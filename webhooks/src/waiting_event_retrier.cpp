#include "pledged/webhooks/waiting_event_retrier.hpp"

namespace pledged::webhooks {

void WaitingEventRetrier::start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      // An unreachable database just means the next pass tries again.
      (void)processor_.retry_waiting(500, /*ignore_backoff=*/false);
      lock.lock();
    }
  });
}

void WaitingEventRetrier::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pledged::webhooks
