// Donor emails through the outbox, against the real database and a real SMTP server on
// loopback (tools/smtp-capture): exactly one email per ledger movement however often
// Stripe repeats its events, none lost while the SMTP server is down, none sent twice
// by two instances, and no donor-entered text that adds a recipient or a header.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "smtp_capture.hpp"
#include "staff_fixture.hpp"
#include "standin_process.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kWebhook = "/v1/webhooks/stripe";
constexpr std::chrono::seconds kDeliveryBound{60};  // a bound for a hang, not a timing requirement

// The emails a pledge of generate_history's scenario (index mod 10) must bring, worked
// out from the scenario's story, not from the code: (receipts, refund notices).
std::pair<int, int> expected_emails(int scenario) {
  switch (scenario) {
    case 0: return {1, 0};   // paid
    case 1: return {1, 2};   // paid, refunded half, then all: two refunds, two notices
    case 2: return {1, 1};   // paid, a third refunded
    case 3: return {1, 0};   // bank debit that clears
    case 4: return {0, 0};   // bank debit that fails
    case 5: return {0, 0};   // abandoned
    case 6: return {3, 0};   // monthly, three installments paid
    case 7: return {1, 0};   // dispute lost: no refund
    case 8: return {1, 0};   // dispute won
    default: return {2, 1};  // monthly, two installments, the second refunded
  }
}

// Events of one pledge of a generated history (their ids carry the pledge's).
std::vector<std::string> events_of(const StripeHistory& history, const HistoryPledge& pledge) {
  std::vector<std::string> own;
  for (const auto& event : history.events) {
    if (json::parse(event)["id"].get<std::string>().rfind("evt_" + pledge.id.substr(3) + "_", 0) == 0) {
      own.push_back(event);
    }
  }
  return own;
}

class EmailFixture : public StaffFixture {
 protected:
  explicit EmailFixture(bool capture_now) {
    if (capture_now) capture_ = std::make_unique<SmtpCapture>();
    extra_env_["STRIPE_WEBHOOK_SECRET"] = kWebhookSecret;
    extra_env_["PLEDGED_SMTP_URL"] = capture_ ? capture_->url() : "smtp://127.0.0.1:" + std::to_string(down_port_);
    extra_env_["PLEDGED_ORG_NAME"] = "The Example Ledger";
    extra_env_["PLEDGED_ORG_TAX_ID"] = "12-3456789";
    extra_env_["PLEDGED_ORG_ADDRESS"] = "1 Press Row, Springfield";
    extra_env_["PLEDGED_MAIL_FROM"] = "The Example Ledger <giving@ledger.example>";
  }

  void deliver(const std::string& body) {
    const auto reply = http_request(port(), "POST", kWebhook, stripe_signature_headers(body, unix_now()), body);
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  long long outbox(const std::string& where) const {
    return std::stoll(database_->query_value("SELECT count(*) FROM email_outbox WHERE " + where));
  }

  // Until nothing is left to send (the rows, not the mailbox: a duplicate would show
  // as one message too many, whenever it came).
  void wait_until_outbox_sent() const {
    const auto deadline = std::chrono::steady_clock::now() + kDeliveryBound;
    while (outbox("status <> 'sent'") > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(outbox("status <> 'sent'"), 0) << "emails left unsent";
  }

  std::string paid_checkout_event(const HistoryPledge& pledge, const std::string& event_id) const {
    json session = stripe_template("checkout.session");
    session["id"] = pledge.checkout_session_id;
    session["client_reference_id"] = pledge.id;
    session["metadata"] = {{"pledge_id", pledge.id}};
    session["mode"] = "payment";
    session["payment_status"] = "paid";
    session["amount_total"] = pledge.amount;
    session["currency"] = "usd";
    session["payment_intent"] = "pi_for_" + event_id;
    return stripe_event(event_id, "checkout.session.completed", session, unix_now());
  }

  // n paid one-time pledges (donor0@…, donor1@…), their events delivered.
  void pay(int n, const std::string& prefix) {
    std::vector<HistoryPledge> pledges;
    for (int i = 0; i < n; ++i) {
      pledges.push_back({new_pledge_id(), "once", 1000 + i, "cs_test_" + prefix + std::to_string(i), "paid"});
    }
    insert_pledges(*database_, pledges);
    for (int i = 0; i < n; ++i) deliver(paid_checkout_event(pledges[i], "evt_" + prefix + std::to_string(i)));
  }

  std::uint16_t down_port_ = unused_port();
  std::unique_ptr<SmtpCapture> capture_;
};

class Receipts : public EmailFixture {
 protected:
  Receipts() : EmailFixture(true) {}
};

class ReceiptsSmtpDown : public EmailFixture {
 protected:
  ReceiptsSmtpDown() : EmailFixture(false) {}
};

}  // namespace

TEST_F(Receipts, OneEmailPerMovementHoweverOftenEventsArrive) {
  const auto history = generate_history(10);
  insert_pledges(*database_, history.pledges);
  std::map<std::string, std::pair<int, int>> expected;  // recipient -> (receipts, refund notices)
  for (std::size_t i = 0; i < history.pledges.size(); ++i) {
    const auto wanted = expected_emails(static_cast<int>(i % 10));
    if (wanted != std::pair<int, int>{0, 0}) expected["donor" + std::to_string(i) + "@example.org"] = wanted;
    // The one-time payment five times over; every other pledge's events twice.
    const int times = i == 0 ? 5 : 2;
    for (int t = 0; t < times; ++t) {
      for (const auto& event : events_of(history, history.pledges[i])) deliver(event);
    }
  }
  // An offline gift with an email brings its receipt; one without, none.
  ASSERT_EQ(staff_send("POST", "/v1/admin/campaigns/eoy-2026/offline-gifts", admin_token_,
                       {{"amount", 25000},
                        {"currency", "usd"},
                        {"name", "Gala table 4"},
                        {"email", "Table4@Example.org"},
                        {"received_at", "2026-11-20T18:00:00Z"},
                        {"method", "check"}})
                .status,
            201);
  ASSERT_EQ(
      staff_send("POST", "/v1/admin/campaigns/eoy-2026/offline-gifts", admin_token_,
                 {{"amount", 5000}, {"currency", "usd"}, {"received_at", "2026-11-20T18:00:00Z"}, {"method", "cash"}})
          .status,
      201);
  expected["table4@example.org"] = {1, 0};

  wait_until_outbox_sent();
  std::map<std::string, std::pair<int, int>> arrived;
  std::set<std::string> message_ids;
  for (const auto& message : capture_->messages()) {
    ASSERT_EQ(message["recipients"].size(), 1u) << message["raw"];
    const std::string subject = message["subject"];
    auto& counts = arrived[message["recipients"][0]];
    (subject.find("Refund") == 0 ? counts.second : counts.first) += 1;
    EXPECT_TRUE(message_ids.insert(message["message_id"]).second) << "Message-ID sent twice: " << message["message_id"];
    EXPECT_EQ(message["envelope_from"], "giving@ledger.example");
  }
  EXPECT_EQ(arrived, expected);
}

TEST_F(Receipts, AReceiptSaysWhatTheContractListsInTextAndHtml) {
  pay(1, "contents");
  wait_until_outbox_sent();
  const auto messages = capture_->messages();
  ASSERT_EQ(messages.size(), 1u);
  const auto& receipt = messages[0];
  const auto date = database_->query_value(
      "SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM ledger_entries WHERE kind = 'payment'");
  for (const std::string part : {"text", "html"}) {
    const std::string body = receipt[part];
    for (const char* wanted : {"The Example Ledger", "12-3456789", "1 Press Row, Springfield", "donor0@example.org",
                               "10.00 USD", "Urgent End Of Year Fundraising Campaign",
                               "No goods or services were provided in exchange for this contribution."}) {
      EXPECT_NE(body.find(wanted), std::string::npos) << part << " lacks " << wanted << ":\n" << body;
    }
    EXPECT_NE(body.find(date), std::string::npos) << part << " lacks the date " << date;
  }
}

TEST_F(Receipts, ADonorNameCannotAddARecipientOrAHeaderAndAnonymousDonorsGetTheirs) {
  const HistoryPledge pledge{new_pledge_id(), "once", 2500, "cs_test_injection", "paid"};
  insert_pledges(*database_, {pledge});
  // Straight into the row, past any check of the pledge route: the email must hold anyway.
  database_->execute(
      "UPDATE pledges SET anonymous = true, donor_name = E'Eve <b>bold</b>\\r\\nBcc: x@evil.example' "
      "WHERE id = '" +
      pledge.id + "'");
  deliver(paid_checkout_event(pledge, "evt_injection"));
  wait_until_outbox_sent();
  const auto messages = capture_->messages();
  ASSERT_EQ(messages.size(), 1u);
  const auto& message = messages[0];
  EXPECT_EQ(message["recipients"], json::array({"donor0@example.org"}));
  for (const auto& header : message["headers"]) {
    const std::string name = header[0];
    EXPECT_NE(name, "Bcc");
    EXPECT_EQ(header[1].get<std::string>().find("evil"), std::string::npos) << name;
  }
  const std::string html = message["html"];
  EXPECT_NE(html.find("Eve &lt;b&gt;bold&lt;/b&gt;"), std::string::npos) << html;
  EXPECT_EQ(html.find("<b>"), std::string::npos) << html;
}

TEST_F(ReceiptsSmtpDown, EmailsWaitWhileTheServerIsDownAndArriveOnceWhenItIsBack) {
  pay(3, "down");
  // Every row tried at least once against the closed port, and kept.
  const auto deadline = std::chrono::steady_clock::now() + kDeliveryBound;
  while (outbox("last_error IS NOT NULL") < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(outbox("last_error IS NOT NULL AND status = 'queued'"), 3);

  capture_ = std::make_unique<SmtpCapture>(down_port_);
  wait_until_outbox_sent();
  const auto messages = capture_->messages();
  std::multiset<std::string> recipients;
  for (const auto& message : messages) recipients.insert(message["recipients"][0].get<std::string>());
  EXPECT_EQ(recipients, (std::multiset<std::string>{"donor0@example.org", "donor1@example.org", "donor2@example.org"}));
}

TEST_F(Receipts, TwoInstancesSendingAtOnceNeverSendOneEmailTwice) {
  ServiceProcess second(service_env());
  pay(30, "pair");
  wait_until_outbox_sent();
  const auto messages = capture_->messages();
  std::set<std::string> message_ids;
  for (const auto& message : messages) {
    EXPECT_TRUE(message_ids.insert(message["message_id"]).second) << "sent twice: " << message["message_id"];
  }
  EXPECT_EQ(messages.size(), 30u);
}
