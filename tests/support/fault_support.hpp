#pragma once
// Shared by the tests that take something away from a running pledged (the
// database, Stripe, pool connections): control of the private cluster, waiting
// for a status, the requests every fault test sends, and latency percentiles.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"

namespace pledged::testing {

inline constexpr const char* kProgressPath = "/v1/campaigns/eoy-2026/progress";
inline constexpr const char* kWebhookPath = "/v1/webhooks/stripe";

// scripts/pg ACTION (start, stop, kill), passed by the test command.
inline void pg_control(const std::string& action) {
  const char* script = std::getenv("PLEDGED_TEST_PGCTL");
  ASSERT_NE(script, nullptr) << "PLEDGED_TEST_PGCTL is not set: run through scripts/test";
  const std::string command = std::string(script) + " " + action + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

// Polls `path` until it answers `wanted` or `within` passes; returns the last status.
inline int wait_for_status(std::uint16_t port, const std::string& path, int wanted, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  int status = 0;
  do {
    status = http_get(port, path).status;
    if (status == wanted) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return status;
}

// The p-th percentile (0..100) of `samples`, nearest rank.
inline std::chrono::microseconds percentile(std::vector<std::chrono::microseconds> samples, double p) {
  if (samples.empty()) return std::chrono::microseconds(0);
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size() - 1) + 0.5);
  return samples[std::min(rank, samples.size() - 1)];
}

// Built with -fsanitize=...: timings and memory figures mean nothing there, and an
// allocation too large to serve ends the process instead of throwing std::bad_alloc.
inline constexpr bool kSanitizedBuild =
#ifdef PLEDGED_SANITIZED
    true;
#else
    false;
#endif

}  // namespace pledged::testing
