#pragma once
// Whether this instance can take traffic: the database answers and its schema is
// at least the one this build was made for (/readyz). No HTTP here.
//
// A thread of its own probes the database every kProbeInterval on a connection of
// its own (DatabaseProbe), and check() reports the last result without any I/O: a
// probe per request let a flood of /readyz hits, or of requests holding the pool,
// fail readiness on every pod at once (issue 14, finding 7).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "pledged/core/result.hpp"
#include "pledged/db/database_probe.hpp"

namespace pledged {

class Readiness {
 public:
  static constexpr std::chrono::milliseconds kProbeInterval{250};
  // The oldest state check() reports; older (a probe hanging on the database) is 503.
  static constexpr std::chrono::milliseconds kMaxAge{1000};
  static constexpr std::chrono::milliseconds kProbeTimeout{900};

  // Probes once before returning, so the first /readyz already knows.
  Readiness(const std::string& database_url, int schema_version) : probe_(database_url, schema_version) {
    record(probe_.check(kProbeTimeout));
    thread_ = std::thread([this] { run(); });
  }
  ~Readiness() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // unavailable, with the reason, when not ready. Cheap: safe on a reactor thread.
  Status check() const {
    std::lock_guard lock(mutex_);
    if (std::chrono::steady_clock::now() - probed_at_ > kMaxAge) {
      return make_error(ErrorCode::unavailable, "database check overdue");
    }
    if (!ready_) return make_error(ErrorCode::unavailable, reason_);
    return Status::success();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, kProbeInterval, [this] { return stopping_; })) {
      lock.unlock();
      const Status status = probe_.check(kProbeTimeout);
      lock.lock();
      record_locked(status);
    }
  }
  void record(const Status& status) {
    std::lock_guard lock(mutex_);
    record_locked(status);
  }
  void record_locked(const Status& status) {
    ready_ = status.ok();
    reason_ = status.ok() ? std::string() : status.error().message;
    probed_at_ = std::chrono::steady_clock::now();
  }

  DatabaseProbe probe_;  // used by the probing thread only (and the constructor before it starts)
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool ready_ = false;
  std::string reason_;
  std::chrono::steady_clock::time_point probed_at_;
  std::thread thread_;
};

}  // namespace pledged
