#pragma once
// The periodic pass over stored events that still wait for their pledge (or failed
// to apply): the safety net behind the immediate retry that a later event triggers,
// and the only one for events that another instance received.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "pledged/webhooks/event_processor.hpp"

namespace pledged::webhooks {

class WaitingEventRetrier {
 public:
  WaitingEventRetrier(EventProcessor& processor, std::chrono::milliseconds interval)
      : processor_(processor), interval_(interval) {}
  ~WaitingEventRetrier() { stop(); }
  WaitingEventRetrier(const WaitingEventRetrier&) = delete;
  WaitingEventRetrier& operator=(const WaitingEventRetrier&) = delete;

  void start();
  void stop();

 private:
  EventProcessor& processor_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pledged::webhooks
