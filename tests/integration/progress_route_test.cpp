#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "service_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kProgress = "/v1/campaigns/eoy-2026/progress";

class ProgressRoute : public ServiceFixture {
 protected:
  // An offline gift straight into the ledger, as the staff route will write it.
  void record_offline_gift(long long amount, const std::string& donor) {
    database_->execute(
        "INSERT INTO ledger_entries (campaign_id, kind, amount, currency, donor_key, offline_method, occurred_at) "
        "SELECT id, 'offline_gift', " + std::to_string(amount) + ", 'usd', '" + donor + "', 'check', now() "
        "FROM campaigns WHERE slug = 'eoy-2026'");
  }

  // Polls until `raised` reaches `expected` or `within` passes; returns the last body.
  json wait_for_raised(long long expected, std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    json body;
    do {
      body = json::parse(http_get(port(), kProgress).body);
      if (body["raised"] == expected) return body;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < deadline);
    return body;
  }
};

}  // namespace

TEST_F(ProgressRoute, ServesTheCampaignsNumbers) {
  const auto reply = http_get(port(), kProgress);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json; charset=utf-8");
  const auto body = json::parse(reply.body);
  EXPECT_EQ(body["campaign"], "eoy-2026");
  EXPECT_EQ(body["title"], "Urgent End Of Year Fundraising Campaign");
  EXPECT_EQ(body["currency"], "usd");
  EXPECT_EQ(body["goal"], 5000000);
  EXPECT_EQ(body["raised"], 0);
  EXPECT_EQ(body["percent"], 0.0);
  EXPECT_EQ(body["donors"], 0);
  EXPECT_EQ(body["gifts"], 0);
  EXPECT_EQ(body["starts_at"], "2026-11-15T00:00:00Z");
  EXPECT_EQ(body["ends_at"], "2026-12-31T23:59:59Z");
  EXPECT_TRUE(body["status"] == "scheduled" || body["status"] == "active" || body["status"] == "ended");
  EXPECT_TRUE(body["as_of"].is_string());
}

TEST_F(ProgressRoute, UnknownCampaignIs404WithTheErrorShape) {
  const auto reply = http_get(port(), "/v1/campaigns/no-such-campaign/progress");
  EXPECT_EQ(reply.status, 404);
  const auto body = json::parse(reply.body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_TRUE(body["error"]["message"].is_string());
}

TEST_F(ProgressRoute, SendsStrongETagAndAnswers304) {
  const auto first = http_get(port(), kProgress);
  const auto etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"') << "a strong ETag is quoted without W/";
  const auto cache_control = first.header("cache-control");
  EXPECT_EQ(cache_control.rfind("public, max-age=", 0), 0u);
  EXPECT_LE(std::stoi(cache_control.substr(std::string("public, max-age=").size())), 5);

  const auto revalidated = http_get(port(), kProgress, {{"If-None-Match", etag}});
  EXPECT_EQ(revalidated.status, 304);
  EXPECT_EQ(revalidated.header("etag"), etag);
  EXPECT_TRUE(revalidated.body.empty());

  const auto stale = http_get(port(), kProgress, {{"If-None-Match", "\"something-else\""}});
  EXPECT_EQ(stale.status, 200);
}

TEST_F(ProgressRoute, MoneyInTheLedgerShowsWithinTwoSecondsAndChangesTheETag) {
  const auto before = http_get(port(), kProgress);
  record_offline_gift(2500, "ana@example.org");
  record_offline_gift(1234, "ben@example.org");
  const auto started = std::chrono::steady_clock::now();
  const auto body = wait_for_raised(3734, std::chrono::seconds(2));
  EXPECT_EQ(body["raised"], 3734) << "not visible within 2 s";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_EQ(body["donors"], 2);
  EXPECT_EQ(body["gifts"], 2);
  EXPECT_EQ(body["percent"], 0.07);

  const auto after = http_get(port(), kProgress, {{"If-None-Match", before.header("etag")}});
  EXPECT_EQ(after.status, 200);
  EXPECT_NE(after.header("etag"), before.header("etag"));
}

TEST_F(ProgressRoute, AllowsCorsOnlyForConfiguredOrigins) {
  const auto allowed = http_get(port(), kProgress, {{"Origin", "https://news.example"}});
  EXPECT_EQ(allowed.header("access-control-allow-origin"), "https://news.example");
  EXPECT_EQ(allowed.header("vary"), "Origin");

  const auto other = http_get(port(), kProgress, {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.header("access-control-allow-origin"), "");

  const auto preflight = http_request(port(), "OPTIONS", kProgress,
                                      {{"Origin", "https://news.example"}, {"Access-Control-Request-Method", "GET"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin"), "https://news.example");
  EXPECT_NE(preflight.header("access-control-allow-methods").find("GET"), std::string::npos);
}

// Issue 14, finding 2: a cache in front keys on the decoded, normalised path; any other
// spelling of the banner's path must be 404 here, and no error may be stored by a cache.
TEST_F(ProgressRoute, ErrorsAreNeverCacheableAndOtherSpellingsOfThePathAre404) {
  for (const std::string path :
       {"/v1/campaigns/eoy%2D2026/progress", "/v1/campaigns/eoy-2026/%70rogress", "/v1/campaigns/eoy%2d2026/progress",
        "/v1/campaigns/x/../eoy-2026/progress", "/v1/campaigns/./eoy-2026/progress", "/v1//campaigns/eoy-2026/progress",
        "/v1/campaigns/eoy-2026/progress/.", "/healthz/..", "/v1/campaigns/no-such-campaign/progress"}) {
    const auto reply = http_get(port(), path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(reply.header("cache-control"), "no-store") << path;
  }
  const auto wrong_method = http_request(port(), "DELETE", "/v1/campaigns/eoy-2026/progress");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("cache-control"), "no-store");
  const auto banner = http_get(port(), "/v1/campaigns/eoy-2026/progress");
  EXPECT_EQ(banner.status, 200);
  EXPECT_NE(banner.header("cache-control").find("max-age"), std::string::npos);
}
