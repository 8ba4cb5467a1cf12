#pragma once
// What the fault tests send while something is broken, and what they got back:
// every request is recorded with when it was sent and answered, so a test can judge
// exactly the requests that ran entirely inside a fault window.
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "fault_support.hpp"
#include "pledged/core/crypto.hpp"
#include "pledge_fixture.hpp"
#include "stripe_history.hpp"

namespace pledged::testing {

using Clock = std::chrono::steady_clock;

enum class Kind { banner, pledge, webhook, other };

struct Outcome {
  Kind kind = Kind::other;
  Clock::time_point sent;
  Clock::time_point answered;
  HttpReply reply;
  std::string id;  // the pledge id or webhook event id this request carried or got back

  bool within(Clock::time_point from, Clock::time_point to) const { return sent >= from && answered <= to; }
  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(answered - sent);
  }
};

// A signed webhook delivery of an event pledged stores and ignores: its only
// effect is the webhook_events row that a 2xx promises.
inline Outcome deliver_ignored_event(std::uint16_t port, const std::string& event_id) {
  const std::string body = stripe_event(event_id, "customer.created",
                                        {{"id", "cus_" + event_id.substr(4)}, {"object", "customer"}}, unix_now());
  Outcome outcome{Kind::webhook, Clock::now(), {}, {}, event_id};
  outcome.reply = http_request(port, "POST", kWebhookPath, stripe_signature_headers(body, unix_now()), body);
  outcome.answered = Clock::now();
  return outcome;
}

// A pledge with an Idempotency-Key of its own; `id` is the pledge id of a 201.
inline Outcome create_pledge(std::uint16_t port, const std::string& idempotency_key) {
  Outcome outcome{Kind::pledge, Clock::now(), {}, {}, ""};
  outcome.reply = post_pledge(port, pledge_body().dump(), {{"Idempotency-Key", idempotency_key}});
  outcome.answered = Clock::now();
  if (outcome.reply.status == 201) outcome.id = nlohmann::json::parse(outcome.reply.body).value("id", "");
  return outcome;
}

inline Outcome get_path(std::uint16_t port, const std::string& path) {
  Outcome outcome{path == kProgressPath ? Kind::banner : Kind::other, Clock::now(), {}, {}, ""};
  outcome.reply = http_get(port, path);
  outcome.answered = Clock::now();
  return outcome;
}

// Threads that each repeat one kind of request until stop(), recording every outcome.
class LoadGenerator {
 public:
  // `request(n)` sends the n-th request of its thread.
  void add(int threads, std::function<Outcome(int)> request) {
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back([this, request] {
        std::vector<Outcome> mine;
        for (int n = 0; !stopping_.load(); ++n) {
          mine.push_back(request(n));
          std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a steady load, not a flood
        }
        std::lock_guard<std::mutex> lock(mutex_);
        outcomes_.insert(outcomes_.end(), mine.begin(), mine.end());
      });
    }
  }

  // Stops every thread and returns all outcomes.
  std::vector<Outcome> stop() {
    stopping_ = true;
    for (auto& thread : threads_) thread.join();
    threads_.clear();
    return outcomes_;
  }

  ~LoadGenerator() {
    if (!threads_.empty()) stop();
  }

 private:
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<Outcome> outcomes_;
  std::vector<std::thread> threads_;
};

// A gauge's value in /metrics' text exposition; NaN when it is missing.
inline double gauge(const std::string& metrics, const std::string& name) {
  const auto at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return std::nan("");
  return std::stod(metrics.substr(at + name.size() + 2));
}

// SQL array literal of ids that are base62 with a prefix (pl_..., evt_...): no quoting needed.
inline std::string sql_id_array(const std::vector<std::string>& ids) {
  std::string out = "'{";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + ids[i];
  return out + "}'::text[]";
}

}  // namespace pledged::testing
