#include <gtest/gtest.h>

#include "pledge_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

class Pledges : public PledgeFixture {};

// The parameters every session carries, whatever the frequency.
json common_params(const std::string& id) {
  return {{"client_reference_id", id},
          {"customer_email", "ana@example.org"},
          {"metadata[pledge_id]", id},
          {"metadata[campaign]", "eoy-2026"},
          {"success_url", std::string(kPublicUrl) + "/donate/eoy-2026/thanks?pledge=" + id + "&session_id={CHECKOUT_SESSION_ID}"},
          {"cancel_url", std::string(kPublicUrl) + "/donate/eoy-2026?pledge=" + id + "&cancelled=1"},
          {"line_items[0][quantity]", "1"},
          {"line_items[0][price_data][currency]", "usd"},
          {"line_items[0][price_data][unit_amount]", "2500"},
          {"line_items[0][price_data][product_data][name]", "Urgent End Of Year Fundraising Campaign"}};
}

}  // namespace

TEST_F(Pledges, OnceCreatesAPaymentSessionWithExactlyTheseParameters) {
  const auto reply = post(pledge_body("once"));
  ASSERT_EQ(reply.status, 201) << reply.body;
  const auto body = json::parse(reply.body);
  const std::string id = body["id"];
  EXPECT_EQ(id.rfind("pl_", 0), 0u);
  EXPECT_EQ(body["status"], "pending");
  EXPECT_EQ(body["amount"], 2500);
  EXPECT_EQ(body["currency"], "usd");
  EXPECT_EQ(body["frequency"], "once");

  const auto creations = standin_->session_creations();
  ASSERT_EQ(creations.size(), 1u);
  const auto& sent = creations[0];
  auto expected = common_params(id);
  expected["mode"] = "payment";
  expected["submit_type"] = "donate";
  expected["payment_intent_data[metadata][pledge_id]"] = id;
  expected["payment_intent_data[metadata][campaign]"] = "eoy-2026";
  EXPECT_EQ(sent["params"], expected) << sent["params"].dump(1);
  EXPECT_EQ(sent["content_type"], "application/x-www-form-urlencoded");
  EXPECT_EQ(sent["stripe_version"], "2025-03-31.basil");
  EXPECT_EQ(sent["idempotency_key"].get<std::string>().rfind("pledged-checkout-" + id + "-", 0), 0u)
      << "the pledge id, then the attempt's own part";
  EXPECT_TRUE(sent["authorized"].get<bool>());
  EXPECT_NE(sent["raw_body"].get<std::string>().find("success_url=https%3A%2F%2Fdonate.news.example%2F"),
            std::string::npos);

  const std::string session_id = database_->query_value("SELECT checkout_session_id FROM pledges WHERE id = '" + id + "'");
  EXPECT_EQ(session_id.rfind("cs_test_", 0), 0u);
  EXPECT_EQ(body["checkout_url"], standin_->base_url() + "/checkout/" + session_id);
  EXPECT_EQ(database_->query_value("SELECT status FROM pledges WHERE id = '" + id + "'"), "pending");
}

TEST_F(Pledges, MonthlyCreatesASubscriptionSessionWithAMonthlyPrice) {
  const auto reply = post(pledge_body("monthly"));
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string id = json::parse(reply.body)["id"];
  const auto creations = standin_->session_creations();
  ASSERT_EQ(creations.size(), 1u);
  auto expected = common_params(id);
  expected["mode"] = "subscription";
  expected["line_items[0][price_data][recurring][interval]"] = "month";
  expected["subscription_data[metadata][pledge_id]"] = id;
  expected["subscription_data[metadata][campaign]"] = "eoy-2026";
  EXPECT_EQ(creations[0]["params"], expected) << creations[0]["params"].dump(1);
  EXPECT_EQ(database_->query_value("SELECT frequency FROM pledges WHERE id = '" + id + "'"), "monthly");
}

TEST_F(Pledges, AnswersTheContractsStatusCodes) {
  EXPECT_EQ(post_pledge(port(), pledge_body().dump(), {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(http_request(port(), "POST", "/v1/pledges", {}, pledge_body().dump()).status, 415);
  EXPECT_EQ(post_pledge(port(), std::string(16 * 1024 + 1, ' ')).status, 413);
  const auto malformed = post_pledge(port(), "{\"campaign\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(json::parse(malformed.body)["error"]["code"], "bad_request");

  auto unknown = pledge_body();
  unknown["campaign"] = "no-such-campaign";
  EXPECT_EQ(post(unknown).status, 404);

  const auto created = run_pledged({"campaign", "create", "--slug", "eoy-2020", "--title", "Old", "--goal", "100",
                                    "--currency", "usd", "--starts", "2020-11-15", "--ends", "2020-12-31"},
                                   {{"PLEDGED_DATABASE_URL", database_->url()}});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto ended = pledge_body();
  ended["campaign"] = "eoy-2020";
  const auto closed = post(ended);
  EXPECT_EQ(closed.status, 409) << closed.body;

  const auto invalid = post(json{{"campaign", "eoy-2026"}, {"amount", 10}, {"currency", "eur"}, {"frequency", "yearly"},
                                 {"email", "not-an-address"}, {"name", std::string(201, 'x')}});
  ASSERT_EQ(invalid.status, 422);
  const auto error = json::parse(invalid.body)["error"];
  EXPECT_EQ(error["code"], "validation_failed");
  for (const char* field : {"amount", "currency", "frequency", "email", "name"}) {
    EXPECT_TRUE(error["fields"].contains(field)) << field << " missing in " << error.dump();
  }
  EXPECT_EQ(pledge_count(), "0") << "nothing is stored for a refused pledge";
  EXPECT_EQ(standin_->session_creations().size(), 0u);
}

TEST_F(Pledges, FieldsTheContractDoesNotNameCannotSetStatusIdsOrAmounts) {
  auto body = pledge_body();
  body["status"] = "paid";
  body["id"] = "pl_chosenbytheclient000000";
  body["amount_received"] = 999999;
  body["checkout_session_id"] = "cs_mine";
  const auto reply = post(body);
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::string id = json::parse(reply.body)["id"];
  EXPECT_NE(id, "pl_chosenbytheclient000000");
  EXPECT_EQ(database_->query_value("SELECT status || ' ' || amount FROM pledges"), "pending 2500");
  EXPECT_NE(database_->query_value("SELECT checkout_session_id FROM pledges"), "cs_mine");
}

namespace {
class PledgesWithoutStripe : public ServiceFixture {
 protected:
  PledgesWithoutStripe() { extra_env_ = {{"PLEDGED_ACCESS_LOG", "off"}}; }
};
}  // namespace

TEST_F(PledgesWithoutStripe, AnswersUnavailableAndKeepsThePledgeAsNotStarted) {
  const auto reply = post_pledge(port(), pledge_body().dump());
  ASSERT_EQ(reply.status, 503) << reply.body;
  EXPECT_FALSE(reply.header("retry-after").empty());
  const auto error = json::parse(reply.body)["error"];
  EXPECT_EQ(error["code"], "checkout_unavailable");
  EXPECT_NE(error["message"].get<std::string>().find("not configured"), std::string::npos);
  EXPECT_EQ(database_->query_value("SELECT count(*) || ' ' || min(status) FROM pledges"), "1 not_started");
}

namespace {
class PledgeRateLimit : public PledgeFixture {
 protected:
  PledgeRateLimit() : PledgeFixture({{"PLEDGED_PLEDGE_RATE", "3"}}) {}
};
}  // namespace

TEST_F(PledgeRateLimit, AnswersTooManyRequestsWithRetryAfterOnceAClientIsOverItsRate) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(post(pledge_body()).status, 201) << i;
  const auto limited = post(pledge_body());
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(json::parse(limited.body)["error"]["code"], "rate_limited");
  const int retry_after = std::stoi(limited.header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 20);
  EXPECT_EQ(pledge_count(), "3");
}
