#pragma once
// LISTENs for the database's "progress changed" notifications on a connection of
// its own and calls `on_change` for each one, and also every `safety_interval`
// (a missed notification, a campaign that just started or ended). It reconnects
// by itself when the database goes away and calls `on_change` after reconnecting,
// since notifications sent while it was away are lost.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace pledged {

class ChangeListener {
 public:
  ChangeListener(std::string database_url, std::string channel, std::chrono::milliseconds safety_interval,
                 std::function<void()> on_change);
  ~ChangeListener();  // stops and joins
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  void start();
  void stop();
  bool connected() const { return connected_.load(); }

 private:
  void run();
  bool sleep_unless_stopped(std::chrono::milliseconds duration);

  const std::string database_url_;
  const std::string channel_;
  const std::chrono::milliseconds safety_interval_;
  const std::function<void()> on_change_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connected_{false};
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  std::thread thread_;
};

}  // namespace pledged
