#pragma once
// A running service with one admin and one viewer token, and helpers that seed the
// ledger with SQL (the way the webhook receiver and the pledge route will write it).
#include <nlohmann/json.hpp>

#include <string>

#include "service_fixture.hpp"

namespace pledged::testing {

class StaffFixture : public ServiceFixture {
 protected:
  StaffFixture() {
    // The auth matrix makes many failing requests on purpose; throttling has its own test.
    extra_env_["PLEDGED_STAFF_AUTH_FAILURES"] = "100000";
  }

  void SetUp() override {
    ServiceFixture::SetUp();
    admin_token_ = create_token("admin-ana", "admin");
    viewer_token_ = create_token("viewer-vic", "viewer");
  }

  std::map<std::string, std::string> database_env() const { return {{"PLEDGED_DATABASE_URL", database_->url()}}; }

  std::string create_token(const std::string& name, const std::string& role) const {
    const auto created = run_pledged({"token", "create", "--name", name, "--role", role}, database_env());
    EXPECT_EQ(created.exit_code, 0) << created.err;
    return without_line_end(created.out);
  }

  static std::string without_line_end(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }

  std::string create_token_expiring(const std::string& name, const std::string& role,
                                    const std::string& expires) const {
    const auto created =
        run_pledged({"token", "create", "--name", name, "--role", role, "--expires", expires}, database_env());
    EXPECT_EQ(created.exit_code, 0) << created.err;
    return without_line_end(created.out);
  }

  static std::map<std::string, std::string> bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  HttpReply staff_get(const std::string& path, const std::string& token) const {
    return http_get(port(), path, bearer(token));
  }

  HttpReply staff_send(const std::string& method, const std::string& path, const std::string& token,
                       const nlohmann::json& body) const {
    auto headers = bearer(token);
    headers["Content-Type"] = "application/json";
    return http_request(port(), method, path, headers, body.dump());
  }

  // A pledge row (money only counts once a ledger entry says so).
  void insert_pledge(const std::string& id, const std::string& frequency, const std::string& email,
                     const std::string& name, bool anonymous, const std::string& campaign = "eoy-2026") const {
    database_->execute(
        "INSERT INTO pledges (id, campaign_id, amount, currency, frequency, status, donor_email, donor_name, "
        "anonymous) SELECT '" + id + "', id, 2500, 'usd', '" + frequency + "', 'paid', '" + email + "', '" + name +
        "', " + (anonymous ? "true" : "false") + " FROM campaigns WHERE slug = '" + campaign + "'");
  }

  // One ledger entry; empty strings become NULL.
  void insert_entry(const std::string& kind, long long amount, const std::string& occurred_at,
                    const std::string& donor_key, const std::string& pledge_id, const std::string& stripe_object_id,
                    const std::string& campaign = "eoy-2026") const {
    const auto text = [](const std::string& value) { return value.empty() ? std::string("NULL") : "'" + value + "'"; };
    database_->execute(
        "INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id, "
        "offline_method, occurred_at) SELECT id, " + text(pledge_id) + ", '" + kind + "', " + std::to_string(amount) +
        ", 'usd', " + text(donor_key) + ", " + text(stripe_object_id) + ", " +
        (kind == "offline_gift" ? "'check'" : "NULL") + ", '" + occurred_at + "' FROM campaigns WHERE slug = '" +
        campaign + "'");
  }

  std::string admin_token_;
  std::string viewer_token_;
};

}  // namespace pledged::testing
