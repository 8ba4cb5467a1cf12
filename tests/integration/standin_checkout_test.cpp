// The stand-in's hosted checkout page: Pay and Decline redirect like Stripe's, and a
// payment delivers the events Stripe would send, correctly signed.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "pledge_fixture.hpp"
#include "pledged/webhooks/stripe_signature.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kWebhookSecret = "whsec_standin_checkout_test";

// Accepts webhook deliveries on a loopback port and answers 200 to each.
class WebhookReceiver {
 public:
  struct Delivery {
    std::string signature;
    std::string body;
  };

  WebhookReceiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 16);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~WebhookReceiver() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1/webhooks/stripe"; }
  std::vector<Delivery> deliveries() {
    std::lock_guard<std::mutex> lock(mutex_);
    return deliveries_;
  }

 private:
  void run() {
    for (;;) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string data;
      char chunk[8192];
      std::size_t header_end = std::string::npos;
      std::size_t length = 0;
      while (header_end == std::string::npos || data.size() < header_end + 4 + length) {
        const auto n = ::recv(client, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        data.append(chunk, static_cast<std::size_t>(n));
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          length = std::stoul(header_value(data.substr(0, header_end), "content-length"));
        }
      }
      if (header_end != std::string::npos) {
        std::lock_guard<std::mutex> lock(mutex_);
        deliveries_.push_back({header_value(data.substr(0, header_end), "stripe-signature"),
                               data.substr(header_end + 4, length)});
      }
      const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      ::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }
  static std::string header_value(const std::string& head, const std::string& lower_name) {
    std::string lowered = head;
    for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lowered.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return "0";
    const auto start = head.find_first_not_of(' ', at + 3 + lower_name.size());
    return head.substr(start, head.find("\r\n", start) - start);
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Delivery> deliveries_;
};

class StandinCheckout : public PledgeFixture {
 protected:
  void SetUp() override {
    PledgeFixture::SetUp();
    standin_->configure({{"webhook_url", receiver_.url()}, {"webhook_secret", kWebhookSecret}});
  }

  // Creates a pledge through pledged and returns {pledge id, session id}.
  std::pair<std::string, std::string> pledge(const std::string& frequency) {
    const auto reply = post(pledge_body(frequency));
    EXPECT_EQ(reply.status, 201) << reply.body;
    const auto body = json::parse(reply.body);
    const std::string url = body["checkout_url"];
    return {body["id"], url.substr(url.rfind('/') + 1)};
  }

  // The delivered events, each checked against its signature.
  std::vector<json> verified_events() {
    std::vector<json> events;
    const std::vector<std::string> secrets{kWebhookSecret};
    for (const auto& delivery : receiver_.deliveries()) {
      const pledged::webhooks::SignatureCheck check{delivery.signature, delivery.body, secrets, std::chrono::seconds(300),
                                                    std::chrono::system_clock::now()};
      EXPECT_TRUE(pledged::webhooks::verify_stripe_signature(check).ok()) << delivery.signature;
      events.push_back(json::parse(delivery.body));
    }
    return events;
  }

  WebhookReceiver receiver_;
};

std::vector<std::string> types_of(const std::vector<json>& events) {
  std::vector<std::string> types;
  for (const auto& event : events) types.push_back(event["type"]);
  return types;
}

}  // namespace

TEST_F(StandinCheckout, PayingOnceRedirectsToSuccessAndDeliversSignedEvents) {
  const auto [pledge_id, session_id] = pledge("once");
  const auto page = http_get(standin_->port(), "/checkout/" + session_id);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("test/demo only"), std::string::npos);
  EXPECT_NE(page.body.find("Pay"), std::string::npos);
  EXPECT_NE(page.body.find("Decline"), std::string::npos);

  const auto paid = http_request(standin_->port(), "POST", "/checkout/" + session_id + "/pay");
  EXPECT_EQ(paid.status, 303);
  EXPECT_EQ(paid.header("location"),
            std::string(kPublicUrl) + "/donate/eoy-2026/thanks?pledge=" + pledge_id + "&session_id=" + session_id);

  const auto events = verified_events();
  ASSERT_EQ(types_of(events),
            (std::vector<std::string>{"checkout.session.completed", "payment_intent.succeeded", "charge.succeeded"}));
  const auto& session = events[0]["data"]["object"];
  EXPECT_EQ(session["payment_status"], "paid");
  EXPECT_EQ(session["client_reference_id"], pledge_id);
  EXPECT_EQ(session["metadata"]["pledge_id"], pledge_id);
  const auto& intent = events[1]["data"]["object"];
  EXPECT_EQ(intent["metadata"]["pledge_id"], pledge_id);
  EXPECT_EQ(intent["amount_received"], 2500);
  EXPECT_EQ(session["payment_intent"], intent["id"]);
  const auto& charge = events[2]["data"]["object"];
  EXPECT_EQ(charge["payment_intent"], intent["id"]);
  EXPECT_EQ(charge["amount"], 2500);

  const auto retrieved = json::parse(http_request(standin_->port(), "GET", "/v1/checkout/sessions/" + session_id,
                                                  {{"Authorization", std::string("Bearer ") + kStandinKey}})
                                         .body);
  EXPECT_EQ(retrieved["status"], "complete");
}

TEST_F(StandinCheckout, PayingMonthlyDeliversSessionCompletedAndInvoicePaid) {
  const auto [pledge_id, session_id] = pledge("monthly");
  ASSERT_EQ(http_request(standin_->port(), "POST", "/checkout/" + session_id + "/pay").status, 303);
  const auto events = verified_events();
  ASSERT_EQ(types_of(events), (std::vector<std::string>{"checkout.session.completed", "customer.subscription.created",
                                                        "invoice.paid"}));
  const auto& subscription = events[1]["data"]["object"];
  EXPECT_EQ(subscription["id"], events[0]["data"]["object"]["subscription"]);
  EXPECT_EQ(subscription["metadata"]["pledge_id"], pledge_id);
  EXPECT_EQ(subscription["items"]["data"][0]["price"]["unit_amount"], 2500);
  const auto& invoice = events[2]["data"]["object"];
  EXPECT_EQ(invoice["amount_paid"], 2500);
  EXPECT_EQ(invoice["billing_reason"], "subscription_create");
  EXPECT_EQ(invoice["parent"]["subscription_details"]["metadata"]["pledge_id"], pledge_id);
  EXPECT_EQ(invoice["parent"]["subscription_details"]["subscription"], events[0]["data"]["object"]["subscription"]);
}

TEST_F(StandinCheckout, DecliningRedirectsToCancelAndSendsNothing) {
  const auto [pledge_id, session_id] = pledge("once");
  const auto declined = http_request(standin_->port(), "POST", "/checkout/" + session_id + "/decline");
  EXPECT_EQ(declined.status, 303);
  EXPECT_EQ(declined.header("location"), std::string(kPublicUrl) + "/donate/eoy-2026?pledge=" + pledge_id + "&cancelled=1");
  EXPECT_TRUE(receiver_.deliveries().empty());
}

TEST_F(StandinCheckout, ListsEventsNewestFirstWithPaging) {
  for (int i = 0; i < 2; ++i) {
    const auto [pledge_id, session_id] = pledge("once");
    ASSERT_EQ(http_request(standin_->port(), "POST", "/checkout/" + session_id + "/pay").status, 303);
  }
  const std::map<std::string, std::string> auth{{"Authorization", std::string("Bearer ") + kStandinKey}};
  const auto first = json::parse(http_request(standin_->port(), "GET", "/v1/events?limit=4&created%5Bgte%5D=0", auth).body);
  ASSERT_EQ(first["data"].size(), 4u);
  EXPECT_TRUE(first["has_more"].get<bool>());
  EXPECT_EQ(first["data"][0]["type"], "charge.succeeded") << "newest first";
  const std::string last = first["data"][3]["id"];
  const auto second = json::parse(http_request(standin_->port(), "GET", "/v1/events?limit=4&starting_after=" + last, auth).body);
  ASSERT_EQ(second["data"].size(), 2u);
  EXPECT_FALSE(second["has_more"].get<bool>());
  const auto none = json::parse(http_request(standin_->port(), "GET", "/v1/events?created%5Bgte%5D=4102444800", auth).body);
  EXPECT_TRUE(none["data"].empty());
  EXPECT_EQ(http_request(standin_->port(), "GET", "/v1/events", {{"Authorization", "Bearer sk_test_wrong"}}).status, 401);
}

namespace {

// POST /v1/checkout/sessions straight to the stand-in, as Stripe's API takes it.
HttpReply create_session(const StandinProcess& standin, const std::string& key, const std::string& amount = "2500") {
  std::map<std::string, std::string> headers{{"Authorization", std::string("Bearer ") + kStandinKey},
                                             {"Content-Type", "application/x-www-form-urlencoded"}};
  if (!key.empty()) headers["Idempotency-Key"] = key;
  return http_request(standin.port(), "POST", "/v1/checkout/sessions", headers,
                      "mode=payment&success_url=https%3A%2F%2Fx.test%2Fok&cancel_url=https%3A%2F%2Fx.test%2Fno"
                      "&line_items%5B0%5D%5Bquantity%5D=1&line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd"
                      "&line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=" +
                          amount);
}

}  // namespace

// Stripe's documented idempotency rules, which pledged's retries are tested against: the
// first answer of an executed request is saved, a 5xx included; other parameters under
// the same key are a 400; a repeat while the first runs is a 409 (neither is saved).
TEST(StandinIdempotency, KeepsStripesRulesForKeys) {
  StandinProcess standin;
  standin.configure({{"fail", json::array({{{"status", 500}}, {{"status", 429}}})}});
  const auto failed = create_session(standin, "key-500");
  EXPECT_EQ(failed.status, 500) << failed.body;
  const auto replayed = create_session(standin, "key-500");
  EXPECT_EQ(replayed.status, 500) << "Stripe replays a saved 500 for 24 h";
  EXPECT_EQ(replayed.header("idempotent-replayed"), "true");
  EXPECT_EQ(create_session(standin, "key-429").status, 429);
  EXPECT_EQ(create_session(standin, "key-429").status, 200) << "a 429 is not saved";

  const auto made = create_session(standin, "key-ok");
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(create_session(standin, "key-ok").body, made.body);
  const auto other = create_session(standin, "key-ok", "5000");
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(json::parse(other.body)["error"]["type"], "idempotency_error");

  standin.configure({{"latency_ms", 1000}});
  HttpReply first;
  std::thread running([&] { first = create_session(standin, "key-slow"); });
  const auto arrived = [&] {
    for (const auto& request : standin.requests()) {
      if (request["idempotency_key"] == "key-slow") return true;
    }
    return false;
  };
  for (int i = 0; i < 200 && !arrived(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto concurrent = create_session(standin, "key-slow");  // the first runs for a second
  running.join();
  EXPECT_EQ(concurrent.status, 409) << concurrent.body;
  EXPECT_EQ(first.status, 200) << first.body;
}
