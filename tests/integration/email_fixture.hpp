#pragma once
// A running service whose donor emails go to a real SMTP server on loopback
// (tools/smtp-capture), or to a closed port until the test starts one there; with the
// organisation's settings receipts and statements name.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "smtp_capture.hpp"
#include "staff_fixture.hpp"
#include "standin_process.hpp"
#include "stripe_history.hpp"

namespace pledged::testing {

inline constexpr const char* kWebhook = "/v1/webhooks/stripe";
inline constexpr std::chrono::seconds kDeliveryBound{60};  // a bound for a hang, not a timing requirement

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
    nlohmann::json session = stripe_template("checkout.session");
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

}  // namespace pledged::testing
