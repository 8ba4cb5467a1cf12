#pragma once
// Counts failed staff sign-ins per client and says when a client must wait, so a
// token cannot be guessed by brute force. Fixed windows: cheap, and good enough
// against guessing a 238-bit token; thread-safe. Time is passed in (no clock inside).
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

#include "pledged/core/lru_table.hpp"

namespace pledged {

class FailureThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  FailureThrottle(int max_failures, std::chrono::seconds window, std::size_t max_clients = 100000)
      : max_failures_(max_failures), window_(window), clients_(max_clients) {}

  // Seconds the client must wait before trying again, or 0 when it may try now.
  long long retry_after(const std::string& client, Clock::time_point now);
  void record_failure(const std::string& client, Clock::time_point now);

  // Counts an attempt BEFORE its token is looked up, in one step with the check: 0
  // when admitted (the attempt counts as a failure until forgive() says otherwise),
  // else the seconds to wait. Checking first and counting after the lookup let 300
  // simultaneous guesses all pass the check before the first was counted.
  long long admit(const std::string& client, Clock::time_point now);
  // An admitted attempt that turned out good (a known token) gives its count back.
  void forgive(const std::string& client);

 private:
  struct Window {
    Clock::time_point started;
    int failures = 0;
  };
  // The client's window, restarted when it is over. O(1).
  Window& current(const std::string& client, Clock::time_point now);
  long long wait_left(const Window& window, Clock::time_point now) const;

  int max_failures_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  // Bounded: a flood of addresses forgets the least recently seen client, never
  // everyone's counts (a full table used to clear them all).
  LruTable<Window> clients_;
};

}  // namespace pledged
