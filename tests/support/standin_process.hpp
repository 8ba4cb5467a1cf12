#pragma once
// The local Stripe stand-in (tools/stripe-standin) as a child process on a free
// loopback port, with its control API: inject latency and failures, read what it got.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace pledged::testing {

inline constexpr const char* kStandinKey = "sk_test_standin_integration";

class StandinProcess {
 public:
  explicit StandinProcess(std::map<std::string, std::string> env = {});
  // SIGTERM, then the test fails unless the stand-in ended by that SIGTERM (it has no
  // handler: the default action ends it) or exited 0, within kStopBound, and unless its
  // log is free of sanitizer reports. A hang is SIGKILLed and reported.
  ~StandinProcess();
  StandinProcess(const StandinProcess&) = delete;
  StandinProcess& operator=(const StandinProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Every API request received so far (method, path, params, idempotency_key, ...).
  nlohmann::json requests() const;
  // Only the Checkout Session creations.
  nlohmann::json session_creations() const;
  // {"latency_ms": 300, "fail": [{"status": 500}, {"status": 429, "should_retry": true}]}
  void configure(const nlohmann::json& faults) const;
  nlohmann::json events() const;

  static constexpr std::chrono::seconds kStopBound{20};

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string log_path_;
};

// A loopback port with nothing listening on it (bound, then closed).
std::uint16_t unused_port();

}  // namespace pledged::testing
