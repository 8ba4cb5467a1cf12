#pragma once
// Counts failed staff sign-ins per client and says when a client must wait, so a
// token cannot be guessed by brute force. Fixed windows: cheap, and good enough
// against guessing a 238-bit token; thread-safe. Time is passed in (no clock inside).
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace pledged {

class FailureThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  FailureThrottle(int max_failures, std::chrono::seconds window, std::size_t max_clients = 100000)
      : max_failures_(max_failures), window_(window), max_clients_(max_clients) {}

  // Seconds the client must wait before trying again, or 0 when it may try now.
  long long retry_after(const std::string& client, Clock::time_point now);
  void record_failure(const std::string& client, Clock::time_point now);

 private:
  struct Window {
    Clock::time_point started;
    int failures = 0;
  };
  void forget_expired(Clock::time_point now);

  int max_failures_;
  std::chrono::seconds window_;
  std::size_t max_clients_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> clients_;
};

}  // namespace pledged
