#pragma once
// A running pledged pointed at a running Stripe stand-in, both on loopback.
#include <memory>

#include <nlohmann/json.hpp>

#include "service_fixture.hpp"
#include "standin_process.hpp"

namespace pledged::testing {

inline constexpr const char* kPublicUrl = "https://donate.news.example";

inline nlohmann::json pledge_body(const std::string& frequency = "once", long long amount = 2500) {
  return {{"campaign", "eoy-2026"}, {"amount", amount},          {"currency", "usd"},
          {"frequency", frequency}, {"email", "ana@example.org"}, {"name", "Ana"},
          {"anonymous", false},     {"message", "Keep going"}};
}

inline HttpReply post_pledge(std::uint16_t port, const std::string& body,
                             std::map<std::string, std::string> headers = {}) {
  headers.emplace("Content-Type", "application/json");
  return http_request(port, "POST", "/v1/pledges", headers, body);
}

class PledgeFixture : public ServiceFixture {
 protected:
  explicit PledgeFixture(std::map<std::string, std::string> more_env = {})
      : standin_(std::make_unique<StandinProcess>()) {
    extra_env_ = {{"STRIPE_SECRET_KEY", kStandinKey},
                  {"STRIPE_API_BASE", standin_->base_url()},
                  {"PLEDGED_PUBLIC_URL", kPublicUrl},
                  {"PLEDGED_STRIPE_TIMEOUT_MS", "3000"}};
    for (const auto& [key, value] : more_env) extra_env_[key] = value;
  }

  HttpReply post(const nlohmann::json& body, std::map<std::string, std::string> headers = {}) {
    return post_pledge(port(), body.dump(), std::move(headers));
  }
  std::string pledge_count() const { return database_->query_value("SELECT count(*) FROM pledges"); }

  std::unique_ptr<StandinProcess> standin_;
};

}  // namespace pledged::testing
