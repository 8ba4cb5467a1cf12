// Donor-covered fees (issue 18; API.md, POST /v1/pledges: cover_fee, fee, charged) over HTTP:
// what Checkout is asked to charge, read back from the stand-in; the stand-in's signed
// events applied by pledged and counted at what Stripe received (DESIGN.md: a covered fee
// is part of the charged amount); a one-time payment of the gift alone stored as failed;
// and cover_fee refused when PLEDGED_COVER_FEE is off. Every figure is worked out by hand
// from the default rule, 2.9% + 30: 2606 − round(75.574) − 30 = 2500 (2605 leaves 2499).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pledge_fixture.hpp"
#include "stripe_history.hpp"
#include "stripe_objects.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kProgress = "/v1/campaigns/eoy-2026/progress";
constexpr const char* kUnitAmount = "line_items[0][price_data][unit_amount]";

json covered(const std::string& frequency, long long amount) {
  auto body = pledge_body(frequency, amount);
  body["cover_fee"] = true;
  return body;
}

class CoveredFees : public PledgeFixture {
 protected:
  CoveredFees() : PledgeFixture({{"STRIPE_WEBHOOK_SECRET", kWebhookSecret}}) {}

  void SetUp() override {
    PledgeFixture::SetUp();
    standin_->configure({{"webhook_url", "http://127.0.0.1:" + std::to_string(port()) + "/v1/webhooks/stripe"},
                         {"webhook_secret", kWebhookSecret}});
  }

  json create(const json& body) {
    const auto reply = post(body);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return json::parse(reply.body);
  }
  std::string column(const std::string& pledge_id, const std::string& name) const {
    return database_->query_value("SELECT " + name + " FROM pledges WHERE id = '" + pledge_id + "'");
  }
  // Pays on the stand-in's checkout page; its events reach pledged before the redirect.
  void pay(const std::string& pledge_id) {
    ASSERT_EQ(
        http_request(standin_->port(), "POST", "/checkout/" + column(pledge_id, "checkout_session_id") + "/pay").status,
        303);
  }
  long long raised() const {
    return std::stoll(database_->query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries"));
  }
  long long banner_raised() const { return json::parse(http_get(port(), kProgress).body)["raised"]; }
};

}  // namespace

TEST_F(CoveredFees, ACoveredGiftIsChargedGrossedUpEveryMonthAndCountedAtWhatStripeReceived) {
  const auto once = create(covered("once", 2500));
  EXPECT_EQ(once["amount"], 2500);
  EXPECT_EQ(once["fee"], 106);
  EXPECT_EQ(once["charged"], 2606);
  const auto monthly = create(covered("monthly", 2500));
  EXPECT_EQ(monthly["fee"], 106);
  EXPECT_EQ(monthly["charged"], 2606);
  const auto plain = create(pledge_body("once", 2500));
  EXPECT_EQ(plain["fee"], 0) << "no cover_fee: nothing added";
  EXPECT_EQ(plain["charged"], 2500);

  const auto creations = standin_->session_creations();
  ASSERT_EQ(creations.size(), 3u);
  EXPECT_EQ(creations[0]["params"][kUnitAmount], "2606");
  EXPECT_EQ(creations[1]["params"][kUnitAmount], "2606") << "the price of every installment";
  EXPECT_EQ(creations[1]["params"]["line_items[0][price_data][recurring][interval]"], "month");
  EXPECT_EQ(creations[2]["params"][kUnitAmount], "2500");
  const std::string once_id = once["id"].get<std::string>();
  EXPECT_EQ(column(once_id, "amount"), "2500");
  EXPECT_EQ(column(once_id, "fee"), "106");
  EXPECT_EQ(column(once_id, "charged"), "2606");

  pay(once["id"].get<std::string>());
  pay(monthly["id"].get<std::string>());
  pay(plain["id"].get<std::string>());
  EXPECT_EQ(raised(), 2606 + 2606 + 2500) << "what Stripe received, the covered fees included";
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE status = 'failed'"), "0");
  for (int attempt = 0; attempt < 50 && banner_raised() != 7712; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(banner_raised(), 7712);
}

TEST_F(CoveredFees, AOneTimePaymentOfTheGiftWithoutItsFeeIsStoredAsFailed) {
  const auto pledge = create(covered("once", 2500));
  const std::string id = pledge["id"].get<std::string>();
  const HistoryPledge history{id, "once", 2500, column(id, "checkout_session_id"), ""};
  const auto send = [&](const std::string& event_id, long long amount_total) {
    const auto body = stripe_event(event_id, "checkout.session.completed",
                                   one_time_checkout(history, amount_total, "pi_covered_fee_test"), unix_now());
    const auto reply =
        http_request(port(), "POST", "/v1/webhooks/stripe", stripe_signature_headers(body, unix_now()), body);
    EXPECT_EQ(reply.status, 200) << reply.body;
  };
  send("evt_covered_gift_only", 2500);
  EXPECT_EQ(database_->query_value("SELECT status FROM webhook_events WHERE id = 'evt_covered_gift_only'"), "failed")
      << "the Checkout charged 2606";
  EXPECT_EQ(raised(), 0);
  send("evt_covered_charged", 2606);
  EXPECT_EQ(database_->query_value("SELECT status FROM webhook_events WHERE id = 'evt_covered_charged'"), "applied");
  EXPECT_EQ(raised(), 2606);
}

TEST_F(CoveredFees, CoverFeeIsPartOfTheIdempotencyKeysBodyAndMustBeABooleanAndFitTheMaximum) {
  ASSERT_EQ(post(covered("once", 2500), {{"Idempotency-Key", "fee-key"}}).status, 201);
  const auto replay = post(covered("once", 2500), {{"Idempotency-Key", "fee-key"}});
  ASSERT_EQ(replay.status, 201) << replay.body;
  EXPECT_EQ(json::parse(replay.body)["charged"], 2606) << "the kept answer has the fee";
  auto without = covered("once", 2500);
  without["cover_fee"] = false;
  const auto reused = post(without, {{"Idempotency-Key", "fee-key"}});
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(json::parse(reused.body)["error"]["code"], "idempotency_key_reused");

  for (const json& value : {json("yes"), json(1), json::object()}) {
    auto body = pledge_body();
    body["cover_fee"] = value;
    const auto reply = post(body);
    ASSERT_EQ(reply.status, 422) << value.dump();
    EXPECT_EQ(json::parse(reply.body)["error"]["fields"]["cover_fee"], "must be true or false");
  }
  // 99999999 is a valid gift, but with its fee Checkout would be asked for 102986642.
  const auto too_much = post(covered("once", 99'999'999));
  ASSERT_EQ(too_much.status, 422) << too_much.body;
  EXPECT_NE(json::parse(too_much.body)["error"]["fields"]["cover_fee"].get<std::string>().find("99999999"),
            std::string::npos);
  EXPECT_EQ(pledge_count(), "1");

  // The donation page computes its "Add $X to cover fees" line from the same setting.
  const auto page = http_get(port(), "/donate/eoy-2026");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(R"(data-fee-basis-points="290" data-fee-fixed="30")"), std::string::npos);
}

namespace {

class CoveredFeesOff : public PledgeFixture {
 protected:
  CoveredFeesOff() : PledgeFixture({{"PLEDGED_COVER_FEE", "off"}}) {}
};

}  // namespace

TEST_F(CoveredFeesOff, CoverFeeIs422InTheErrorShapeAndAPledgeWithoutItIsUnchanged) {
  const auto refused = post(covered("once", 2500));
  ASSERT_EQ(refused.status, 422) << refused.body;
  const auto error = json::parse(refused.body)["error"];
  EXPECT_EQ(error["code"], "validation_failed");
  EXPECT_NE(error["fields"]["cover_fee"].get<std::string>().find("turned off"), std::string::npos);
  EXPECT_EQ(pledge_count(), "0");

  auto plain = covered("once", 2500);
  plain["cover_fee"] = false;
  const auto accepted = post(plain);
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["fee"], 0);
  EXPECT_EQ(json::parse(accepted.body)["charged"], 2500);
  EXPECT_EQ(standin_->session_creations()[0]["params"][kUnitAmount], "2500");

  // Empty: the page keeps the choice hidden.
  const auto page = http_get(port(), "/donate/eoy-2026");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(R"(data-fee-basis-points="" data-fee-fixed="")"), std::string::npos);
}
