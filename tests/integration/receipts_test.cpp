// Donor emails through the outbox, against the real database and a real SMTP server on
// loopback (tools/smtp-capture): exactly one email per ledger movement however often
// Stripe repeats its events, none lost while the SMTP server is down, none sent twice
// by two instances, and no donor-entered text that adds a recipient or a header.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "email_fixture.hpp"
#include "standin_process.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

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

class Receipts : public EmailFixture {
 protected:
  Receipts() : EmailFixture(true) {}
};

class ReceiptsSmtpDown : public EmailFixture {
 protected:
  ReceiptsSmtpDown() : EmailFixture(false) {}
};

// An SMTP server that takes the connection and never says a word: a sender talking to it
// is mid-send, its claim taken and nothing sent, until its SMTP timeout.
class StalledSmtp {
 public:
  StalledSmtp() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(listener_, 16) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
  }
  ~StalledSmtp() {
    for (const int fd : accepted_) close(fd);
    close(listener_);
  }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // Waits (up to `within`) for a client to connect, and keeps it connected in silence.
  bool client_connected(std::chrono::milliseconds within) {
    pollfd waiting{listener_, POLLIN, 0};
    if (poll(&waiting, 1, static_cast<int>(within.count())) != 1) return false;
    accepted_.push_back(accept(listener_, nullptr, nullptr));
    return accepted_.back() >= 0;
  }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::vector<int> accepted_;
};

// A short lease, so that the email of an instance killed mid-send is due again in seconds.
constexpr const char* kShortLease = "4";

class ReceiptsKilledMidSend : public EmailFixture {
 protected:
  ReceiptsKilledMidSend() : EmailFixture(false) {
    extra_env_["PLEDGED_SMTP_URL"] = stalled_.url();
    extra_env_["PLEDGED_EMAIL_LEASE_SECONDS"] = kShortLease;
  }
  StalledSmtp stalled_;
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
  // Staff see them waiting and why, without an address or a body.
  const auto health = staff_get("/v1/reports/emails/health", viewer_token_);
  ASSERT_EQ(health.status, 200) << health.body;
  const auto seen = json::parse(health.body);
  EXPECT_EQ(seen["queued"], 3);
  EXPECT_EQ(seen["sent"], 0);
  EXPECT_EQ(seen["failed"], 0);
  ASSERT_EQ(seen["last_failures"].size(), 3u) << health.body;
  for (const auto& failure : seen["last_failures"]) {
    EXPECT_EQ(failure["kind"], "receipt");
    EXPECT_EQ(failure["status"], "queued");
    EXPECT_EQ(failure["error"].get<std::string>().rfind("smtp: ", 0), 0u) << failure;
  }
  EXPECT_EQ(health.body.find('@'), std::string::npos) << health.body;

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

TEST_F(ReceiptsKilledMidSend, AReceiptClaimedByAnInstanceKilledMidSendArrivesOnceFromAnother) {
  pay(1, "killed");
  // The first instance claimed the receipt and is talking to the silent server.
  ASSERT_TRUE(stalled_.client_connected(std::chrono::seconds(20))) << "the receipt was never claimed";
  service_->kill_abruptly();
  ASSERT_EQ(outbox("status = 'queued' AND attempts = 1 AND last_error IS NULL"), 1) << "not killed mid-send";

  capture_ = std::make_unique<SmtpCapture>();
  auto env = service_env();
  env["PLEDGED_SMTP_URL"] = capture_->url();
  ServiceProcess second(env);
  wait_until_outbox_sent();
  EXPECT_EQ(outbox("attempts = 2"), 1);
  // One more idle pass of the second sender's loop: still one email.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto messages = capture_->messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["recipients"], json::array({"donor0@example.org"}));
}
