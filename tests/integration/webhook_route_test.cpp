#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "pledged/webhooks/stripe_signature.hpp"
#include "service_fixture.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kWebhook = "/v1/webhooks/stripe";
constexpr const char* kProgress = "/v1/campaigns/eoy-2026/progress";
const std::string kRotatedSecret = "whsec_second_secret_during_rotation";

class Webhooks : public ServiceFixture {
 protected:
  Webhooks() { extra_env_["STRIPE_WEBHOOK_SECRET"] = std::string(kWebhookSecret) + "," + kRotatedSecret; }

  HttpReply deliver(const std::string& body, const std::string& secret = kWebhookSecret) {
    return http_request(port(), "POST", kWebhook, stripe_signature_headers(body, unix_now(), secret), body);
  }

  // One paid one-time pledge and its checkout.session.completed event.
  std::string paid_checkout_event(std::int64_t amount, const std::string& event_id = "evt_paid_checkout_1") {
    HistoryPledge pledge{new_pledge_id(), "once", amount, "cs_test_" + event_id, "paid"};
    insert_pledges(*database_, {pledge});
    json session = stripe_template("checkout.session");
    session["id"] = pledge.checkout_session_id;
    session["client_reference_id"] = pledge.id;
    session["metadata"] = {{"pledge_id", pledge.id}};
    session["mode"] = "payment";
    session["payment_status"] = "paid";
    session["amount_total"] = amount;
    session["currency"] = "usd";
    session["payment_intent"] = "pi_for_" + event_id;
    return stripe_event(event_id, "checkout.session.completed", session, unix_now());
  }

  long long written_rows() const {
    return std::stoll(database_->query_value(
        "SELECT (SELECT count(*) FROM webhook_events) + (SELECT count(*) FROM ledger_entries) + "
        "(SELECT count(*) FROM stripe_links) + (SELECT count(*) FROM pledges WHERE status <> 'pending')"));
  }

  long long ledger_sum() const {
    return std::stoll(database_->query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries"));
  }

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

  void expect_rejected(const HttpReply& reply, int status, const std::string& what) {
    EXPECT_EQ(reply.status, status) << what << ": " << reply.body << " headers: " << reply.header("content-type");
    const auto body = json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << what;
    EXPECT_TRUE(body["error"]["code"].is_string()) << what;
    EXPECT_TRUE(body["error"]["message"].is_string()) << what;
    EXPECT_EQ(written_rows(), 0) << what << ": nothing may be written";
  }
};

class WebhooksWithoutSecret : public ServiceFixture {};

// Both instances reload the banner only when told (their periodic reload is 10 minutes
// away), so only the first instance's NOTIFY can bring its webhooks' money to the other.
class WebhooksOnTwoInstances : public Webhooks {
 protected:
  WebhooksOnTwoInstances() { extra_env_["PLEDGED_PROGRESS_REFRESH_MS"] = "600000"; }
};

}  // namespace

TEST_F(Webhooks, SignatureMatrixOverHttp) {
  const auto body = paid_checkout_event(2500);
  const auto now = unix_now();
  const auto t = std::to_string(now);
  const auto good = pledged::webhooks::stripe_v1_signature(kWebhookSecret, now, body);
  auto headers_with = [](const std::string& signature) {
    return std::map<std::string, std::string>{{"Content-Type", "application/json"}, {"Stripe-Signature", signature}};
  };
  auto post = [&](const std::map<std::string, std::string>& headers, const std::string& payload) {
    return http_request(port(), "POST", kWebhook, headers, payload);
  };

  std::string changed = body;
  changed[changed.size() / 2] = changed[changed.size() / 2] == 'a' ? 'b' : 'a';
  expect_rejected(post(headers_with("t=" + t + ",v1=" + good), changed), 400, "one byte of body changed");
  const auto reserialised = json::parse(body).dump(2);
  expect_rejected(post(headers_with("t=" + t + ",v1=" + good), reserialised), 400, "re-serialised JSON");
  expect_rejected(deliver(body, "whsec_not_configured_here"), 400, "wrong secret");
  expect_rejected(post({{"Content-Type", "application/json"}}, body), 400, "missing header");
  expect_rejected(post(headers_with(""), body), 400, "empty header");
  expect_rejected(post(headers_with("t=" + t + ",v0=" + good), body), 400, "only v0, even a correct one");
  std::string upper = good;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  expect_rejected(post(headers_with("t=" + t + ",v1=" + upper), body), 400, "uppercase hex");
  expect_rejected(post(headers_with("t=" + t + ", v1=" + good), body), 400, "space after a comma");
  expect_rejected(post(headers_with("t=now,v1=" + good), body), 400, "t non-numeric");
  const auto old_t = now - 301;
  expect_rejected(post(headers_with("t=" + std::to_string(old_t) + ",v1=" +
                                    pledged::webhooks::stripe_v1_signature(kWebhookSecret, old_t, body)),
                       body),
                  400, "301 s old");
  // The server reads its clock a moment after ours, so over HTTP "301 s ahead" needs
  // a little margin; the exact boundary (300 accepted, 301 refused) is unit-tested.
  const auto future_t = unix_now() + 303;
  expect_rejected(post(headers_with("t=" + std::to_string(future_t) + ",v1=" +
                                    pledged::webhooks::stripe_v1_signature(kWebhookSecret, future_t, body)),
                       body),
                  400, "301 s in the future");
  const std::string huge = body + std::string(1024 * 1024 + 1 - body.size(), ' ');
  expect_rejected(post(headers_with("t=" + t + ",v1=" + pledged::webhooks::stripe_v1_signature(kWebhookSecret, now, huge)),
                       huge),
                  413, "body over 1 MiB");
  const std::string not_event = R"({"hello":"world"})";
  expect_rejected(deliver(not_event), 400, "a signed body that is not an event");

  // Junk v1 first, then the right one; and a rotation's second secret: both accepted.
  const auto accepted = post(headers_with("t=" + t + ",v1=" + std::string(64, '0') + ",v1=" + good), body);
  EXPECT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(json::parse(accepted.body)["outcome"], "applied");
  const auto second_body = paid_checkout_event(1000, "evt_rotation_secret");
  const auto rotated = deliver(second_body, kRotatedSecret);
  EXPECT_EQ(rotated.status, 200) << rotated.body;
  EXPECT_EQ(ledger_sum(), 3500);
}

TEST_F(WebhooksWithoutSecret, RefusesEveryEvent) {
  const std::string body =
      R"({"id":"evt_unsigned","object":"event","type":"customer.created","created":1796000000,"data":{"object":{}}})";
  const auto reply = http_request(port(), "POST", kWebhook,
                                  stripe_signature_headers(body, unix_now(), "whsec_anything_at_all"), body);
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["error"]["code"], "bad_request");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), "0");
}

TEST_F(Webhooks, PaidCheckoutShowsOnTheBannerWithinTwoSeconds) {
  const auto reply = deliver(paid_checkout_event(4200));
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto started = std::chrono::steady_clock::now();
  const auto progress = wait_for_raised(4200, std::chrono::seconds(2));
  EXPECT_EQ(progress["raised"], 4200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_EQ(progress["gifts"], 1);
  EXPECT_EQ(database_->query_value("SELECT status FROM pledges"), "paid");
}

TEST_F(WebhooksOnTwoInstances, ABurstOfEventsReachesTheOtherInstancesBannerThroughCoalescedNotifies) {
  ServiceProcess other(service_env());
  // Many events inside one announcement interval: the first is announced at once, the
  // rest only by the coalesced NOTIFY that follows; lose that and the other instance's
  // banner stops short of the total.
  constexpr int kEvents = 24;
  std::vector<std::string> bodies;
  for (int i = 0; i < kEvents; ++i) bodies.push_back(paid_checkout_event(100 + i, "evt_burst_" + std::to_string(i)));
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> senders;
  for (int s = 0; s < 4; ++s) {
    senders.emplace_back([&, s] {
      for (int i = s; i < kEvents; i += 4) {
        if (deliver(bodies[static_cast<std::size_t>(i)]).status == 200) ++acknowledged;
      }
    });
  }
  for (auto& sender : senders) sender.join();
  ASSERT_EQ(acknowledged.load(), kEvents);
  const long long expected = kEvents * 100 + kEvents * (kEvents - 1) / 2;
  ASSERT_EQ(ledger_sum(), expected);

  // A bound for "never", not a timing requirement (the announcement follows within 0.2 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  json seen;
  do {
    seen = json::parse(http_get(other.port(), kProgress).body);
    if (seen["raised"] == expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(seen["raised"], expected) << "the other instance never heard of the last events";
  EXPECT_EQ(seen["gifts"], kEvents);
  EXPECT_EQ(wait_for_raised(expected, std::chrono::seconds(10))["raised"], expected) << "nor did this one";
}

TEST_F(Webhooks, OtherTypesAreStoredAndAcknowledged) {
  const std::string body = stripe_event("evt_plan_created", "plan.created", stripe_template("event")["data"]["object"],
                                        unix_now());
  const auto reply = deliver(body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["outcome"], "ignored");
  EXPECT_EQ(database_->query_value("SELECT status FROM webhook_events WHERE id = 'evt_plan_created'"), "ignored");
}

TEST_F(Webhooks, DuplicateEventIsAppliedOnce) {
  const auto body = paid_checkout_event(2500);
  std::vector<std::thread> senders;
  std::atomic<int> ok{0};
  for (int i = 0; i < 10; ++i) {
    senders.emplace_back([&] {
      if (deliver(body).status == 200) ++ok;
    });
  }
  for (auto& sender : senders) sender.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM ledger_entries"), "1");
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), "1");
  EXPECT_EQ(wait_for_raised(2500, std::chrono::seconds(2))["raised"], 2500);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(json::parse(http_get(port(), kProgress).body)["raised"], 2500) << "raised once, not more";
}

TEST_F(Webhooks, AnEventWaitsForItsPledgeAndIsAppliedWhenItArrives) {
  const auto history = generate_history(10);
  insert_pledges(*database_, history.pledges);
  // Pledge 9 (monthly): its refund names only the invoice's charge, known once invoice.paid is in.
  std::vector<std::string> pledge_nine;
  for (const auto& event : history.events) {
    if (event.find(history.pledges[9].id.substr(3)) != std::string::npos) pledge_nine.push_back(event);
  }
  ASSERT_GE(pledge_nine.size(), 4u);
  const auto refund = pledge_nine[3];
  ASSERT_NE(refund.find("charge.refunded"), std::string::npos);
  const auto early = deliver(refund);
  ASSERT_EQ(early.status, 200) << early.body;
  EXPECT_EQ(json::parse(early.body)["outcome"], "waiting");
  for (std::size_t i = 0; i < 3; ++i) ASSERT_EQ(deliver(pledge_nine[i]).status, 200);
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE status = 'waiting'"), "0");
  EXPECT_EQ(ledger_sum(), history.pledges[9].amount);
}

TEST_F(Webhooks, KillNineMidStormThenRedeliverGivesExactTotals) {
  const auto history = generate_history(50);
  insert_pledges(*database_, history.pledges);
  std::mutex mutex;
  std::set<std::size_t> acknowledged;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> killed{false};
  auto sender = [&] {
    for (std::size_t i = next++; i < history.events.size(); i = next++) {
      try {
        if (deliver(history.events[i]).status == 200) {
          std::lock_guard<std::mutex> lock(mutex);
          acknowledged.insert(i);
        }
      } catch (const std::exception&) {
        // The server died under this request: not acknowledged, redelivered below.
      }
    }
  };
  std::vector<std::thread> senders;
  for (int i = 0; i < 8; ++i) senders.emplace_back(sender);
  while (!killed) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (acknowledged.size() >= history.events.size() / 3) {
        service_->kill_abruptly();
        killed = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (auto& thread : senders) thread.join();
  ASSERT_LT(acknowledged.size(), history.events.size()) << "the kill came too late to test anything";
  ASSERT_NE(service_->wait_for_exit(std::chrono::seconds(5)), -1);

  // Every acknowledged event must be durable; redeliver the rest, as Stripe would.
  for (const auto index : acknowledged) {
    const auto id = json::parse(history.events[index])["id"].get<std::string>();
    EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events WHERE id = '" + id + "'"), "1") << id;
  }
  service_ = std::make_unique<ServiceProcess>(service_env());
  for (std::size_t i = 0; i < history.events.size(); ++i) {
    if (acknowledged.count(i) == 0) {
      ASSERT_EQ(deliver(history.events[i]).status, 200) << "redelivery " << i;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (database_->query_value("SELECT count(*) FROM webhook_events WHERE status <> 'applied' AND status <> 'ignored'") != "0" &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM webhook_events"), std::to_string(history.events.size()));
  EXPECT_EQ(ledger_sum(), history.expected_raised);
  EXPECT_EQ(wait_for_raised(history.expected_raised, std::chrono::seconds(3))["raised"], history.expected_raised);
}
