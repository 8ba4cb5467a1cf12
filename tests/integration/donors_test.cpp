// Donor self-service (issue 17, API.md "Donors") against the real database, the real
// binary over HTTP and a real SMTP server on loopback: the sign-in link read from the
// captured email, exchanged once for a session cookie; the same answer for an email that
// never gave (and no mail); the hourly limits; another donor's ids answering 404 on every
// donor route; the anti-forgery checks; the Billing Portal's subscription changes applied
// in any order. The link's 30 minutes are tested with a clock the test sets, through the
// use case itself on the same database (DonorLinkClock).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "email_fixture.hpp"
#include "pledged/db/connection_pool.hpp"
#include "pledged/db/donor_repository.hpp"
#include "pledged/db/statement_repository.hpp"
#include "pledged/donors/donor_self_service.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

constexpr const char* kAnaOnce = "pl_donorAnaOnce0000000001";
constexpr const char* kAnaMonthly = "pl_donorAnaMonthly0000001";
constexpr const char* kBoMonthly = "pl_donorBoMonthly00000001";

class Donors : public EmailFixture {
 protected:
  Donors() : EmailFixture(true) {}

  // Ana: a one-time gift (2026) and a monthly gift with one installment; Bo: a monthly
  // gift in 2025 only. Amounts are distinct so a page showing the other's is caught.
  void SetUp() override {
    EmailFixture::SetUp();
    insert_pledge(kAnaOnce, "once", "Ana@Example.org", "Ana Alvarez", false);
    insert_pledge(kAnaMonthly, "monthly", "ana@example.org", "Ana Alvarez", false);
    insert_pledge(kBoMonthly, "monthly", "bo@example.org", "Bo Berg", false);
    database_->execute(
        "UPDATE pledges SET status = 'active', stripe_subscription_id = 'sub_ana', "
        "stripe_customer_id = 'cus_ana' WHERE id = '" +
        std::string(kAnaMonthly) + "'");
    database_->execute(
        "UPDATE pledges SET status = 'active', stripe_subscription_id = 'sub_bo', "
        "stripe_customer_id = 'cus_bo' WHERE id = '" +
        std::string(kBoMonthly) + "'");
    insert_entry("payment", 4200, "2026-03-04T10:00:00Z", "ana@example.org", kAnaOnce, "py_ana1");
    insert_entry("payment", 2500, "2026-11-20T09:30:00Z", "ana@example.org", kAnaMonthly, "in_ana1");
    insert_entry("payment", 7777, "2025-06-01T00:00:00Z", "bo@example.org", kBoMonthly, "in_bo1");
  }

  HttpReply ask_link(const std::string& email) const {
    return http_request(port(), "POST", "/v1/donor/links", {{"Content-Type", "application/json"}},
                        json{{"email", email}}.dump());
  }

  // The token of the newest sign-in email to `recipient`, from the captured message's text.
  std::string token_sent_to(const std::string& recipient, std::size_t messages_expected) const {
    const auto messages = capture_->wait_for(messages_expected, kDeliveryBound);
    static const std::regex link(R"(/donor/([0-9A-Za-z]{43}))");
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
      if ((*it)["recipients"].dump().find(recipient) == std::string::npos) continue;
      std::smatch found;
      const std::string text = (*it)["text"].get<std::string>();
      if (std::regex_search(text, found, link)) return found[1];
    }
    ADD_FAILURE() << "no sign-in link to " << recipient;
    return "";
  }

  // Exchanges the token and returns the cookie's value ("" when it did not sign in).
  std::string sign_in(const std::string& token, HttpReply* reply_out = nullptr) const {
    const auto reply = http_get(port(), "/donor/" + token);
    if (reply_out != nullptr) *reply_out = reply;
    if (reply.status != 303) return "";
    const std::string cookie = reply.headers.at("set-cookie");
    const auto equals = cookie.find('=');
    return cookie.substr(equals + 1, cookie.find(';') - equals - 1);
  }

  std::string signed_in_as_ana() {
    EXPECT_EQ(ask_link("ana@example.org").status, 202);
    return sign_in(token_sent_to("ana@example.org", 1));
  }

  static std::map<std::string, std::string> with_cookie(const std::string& session) {
    return {{"Cookie", "pledged_donor=" + session}};
  }

  HttpReply account(const std::string& session) const {
    return http_get(port(), "/donor/account", with_cookie(session));
  }

  // The anti-forgery token in the account page's forms.
  std::string csrf_of(const std::string& session) const {
    static const std::regex field(R"re(name="csrf" value="([0-9A-Za-z]+)")re");
    std::smatch found;
    const std::string page = account(session).body;
    return std::regex_search(page, found, field) ? std::string(found[1]) : "";
  }

  HttpReply donor_post(const std::string& path, const std::string& session, const std::string& form,
                       std::map<std::string, std::string> extra = {}) const {
    auto headers = with_cookie(session);
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    for (auto& [name, value] : extra) headers[name] = value;
    return http_request(port(), "POST", path, headers, form);
  }

  // A customer.subscription.updated event as Stripe (API 2025-03-31) sends it.
  static std::string subscription_event(const std::string& id, long long created, const std::string& pledge,
                                        const std::string& subscription, long long amount, bool cancel_at_end) {
    const json object = {{"id", subscription},
                         {"object", "subscription"},
                         {"customer", "cus_ana"},
                         {"status", "active"},
                         {"cancel_at_period_end", cancel_at_end},
                         {"currency", "usd"},
                         {"livemode", false},
                         {"metadata", {{"pledge_id", pledge}}},
                         {"items",
                          {{"object", "list"},
                           {"data", json::array({{{"id", "si_1"},
                                                  {"object", "subscription_item"},
                                                  {"quantity", 1},
                                                  {"current_period_end", 1798761600},
                                                  {"price", {{"unit_amount", amount}, {"currency", "usd"}}}}})}}}};
    return json{{"id", id},           {"object", "event"}, {"type", "customer.subscription.updated"},
                {"created", created}, {"livemode", false}, {"data", {{"object", object}}}}
        .dump();
  }
};

// No SMTP server: the sign-in emails stay queued with their links, which the test reads.
class DonorLinkClock : public EmailFixture {
 protected:
  DonorLinkClock() : EmailFixture(false) {}
  void SetUp() override {
    EmailFixture::SetUp();
    insert_entry("offline_gift", 1000, "2026-03-04T10:00:00Z", "ana@example.org", "", "");
  }
};

}  // namespace

TEST_F(Donors, ALinkSignsInOnceAndTheAccountShowsOnlyTheDonorsOwnGifts) {
  const auto asked = ask_link("  Ana@Example.ORG ");
  ASSERT_EQ(asked.status, 202) << asked.body;
  const std::string token = token_sent_to("ana@example.org", 1);
  ASSERT_FALSE(token.empty());
  // Stored hashed only: the token itself is nowhere in the database's link table.
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM donor_links WHERE token_hash = '" + token + "'"), "0");

  HttpReply exchanged;
  const std::string session = sign_in(token, &exchanged);
  ASSERT_EQ(exchanged.status, 303) << exchanged.body;
  EXPECT_EQ(exchanged.headers.at("location"), "/donor/account");
  const std::string cookie = exchanged.headers.at("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Max-Age=1800"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "the test's public URL is http: " << cookie;

  const auto page = account(session);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.headers.at("cache-control"), "no-store");
  EXPECT_NE(page.headers.at("content-security-policy").find("script-src 'self'"), std::string::npos);
  EXPECT_NE(page.body.find("42.00 USD"), std::string::npos) << "the one-time gift";
  EXPECT_NE(page.body.find("25.00 USD</strong> a month"), std::string::npos) << "the monthly gift";
  EXPECT_NE(page.body.find(kAnaMonthly), std::string::npos) << "its Manage form";
  EXPECT_NE(page.body.find("/v1/donor/statements/2026.pdf"), std::string::npos);
  EXPECT_EQ(page.body.find("77.77"), std::string::npos) << "Bo's gift on Ana's page";
  EXPECT_EQ(page.body.find(kBoMonthly), std::string::npos) << "Bo's pledge on Ana's page";

  HttpReply again;
  EXPECT_EQ(sign_in(token, &again), "");
  EXPECT_EQ(again.status, 410) << "a link works once";
}

TEST_F(Donors, AnEmailThatNeverGaveGetsTheSameAnswerAndNoMail) {
  const auto known = ask_link("ana@example.org");
  const auto unknown = ask_link("nobody@example.org");
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(unknown.status, 202);
  EXPECT_EQ(known.body, unknown.body);
  token_sent_to("ana@example.org", 1);
  wait_until_outbox_sent();
  EXPECT_EQ(capture_->messages().size(), 1u) << "only the donor who gave gets a link";
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM donor_links WHERE donor_key = 'nobody@example.org'"), "0");
  EXPECT_EQ(
      database_->query_value("SELECT count(*) FROM email_outbox WHERE kind = 'donor_link' AND summary IS NOT NULL"),
      "0")
      << "a sent link is not kept in the outbox";
}

TEST_F(Donors, LinksAreLimitedPerEmailAndPerClientEachHour) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ask_link("nobody@example.org").status, 202) << i;
  const auto sixth = ask_link("NOBODY@example.org");
  EXPECT_EQ(sixth.status, 429) << sixth.body;
  EXPECT_EQ(json::parse(sixth.body)["error"]["code"], "rate_limited");
  EXPECT_GT(std::stoi(sixth.headers.at("retry-after")), 0);
  // 5 + 1 refused so far from this client; 15 more addresses reach its 20, the next is refused.
  for (int i = 0; i < 14; ++i) EXPECT_EQ(ask_link("other" + std::to_string(i) + "@example.org").status, 202) << i;
  EXPECT_EQ(ask_link("last@example.org").status, 429);
  EXPECT_EQ(ask_link("not an email").status, 422);
}

TEST_F(Donors, AnotherDonorsIdsAnswer404OnEveryDonorRoute) {
  const std::string session = signed_in_as_ana();
  ASSERT_FALSE(session.empty());
  const std::string csrf = csrf_of(session);
  ASSERT_EQ(csrf.size(), 43u);

  EXPECT_EQ(donor_post("/v1/donor/portal", session, "csrf=" + csrf + "&pledge=" + kBoMonthly).status, 404);
  EXPECT_EQ(donor_post("/v1/donor/portal", session, "csrf=" + csrf + "&pledge=" + kAnaOnce).status, 404)
      << "a one-time gift has no portal";
  EXPECT_EQ(donor_post("/v1/donor/portal", session, "csrf=" + csrf + "&pledge=pl_doesNotExist000000001").status, 404);
  EXPECT_EQ(http_get(port(), "/v1/donor/statements/2025.pdf", with_cookie(session)).status, 404)
      << "2025 is Bo's year, not Ana's";
  const auto own = http_get(port(), "/v1/donor/statements/2026.pdf", with_cookie(session));
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.headers.at("content-type"), "application/pdf");
  EXPECT_EQ(own.body.rfind("%PDF-", 0), 0u);
}

TEST_F(Donors, EveryPostNeedsTheCookieTheAntiForgeryTokenAndOurOrigin) {
  const std::string session = signed_in_as_ana();
  const std::string csrf = csrf_of(session);
  const std::string form = "csrf=" + csrf + "&pledge=" + kAnaMonthly;
  EXPECT_EQ(donor_post("/v1/donor/portal", "", form).status, 401);
  EXPECT_EQ(donor_post("/v1/donor/portal", session, "pledge=" + std::string(kAnaMonthly)).status, 403);
  EXPECT_EQ(donor_post("/v1/donor/portal", session, form, {{"Origin", "https://evil.example"}}).status, 403);
  EXPECT_EQ(http_get(port(), "/v1/donor/statements/2026.pdf").status, 401);
  const auto anonymous_page = http_get(port(), "/donor/account");
  EXPECT_EQ(anonymous_page.status, 303);
  EXPECT_EQ(anonymous_page.headers.at("location"), "/donor");
  // Back from Stripe's portal (another site) the browser sends no SameSite=Strict cookie:
  // a page of ours reloads the account page, a same-site navigation that does.
  const auto back_from_portal = http_get(port(), "/donor/account", {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(back_from_portal.status, 200);
  EXPECT_NE(back_from_portal.body.find("http-equiv=\"refresh\" content=\"0; url=/donor/account\""), std::string::npos);
  // No Stripe key in this fixture: the donor's own pledge gets as far as Stripe.
  EXPECT_EQ(donor_post("/v1/donor/portal", session, form).status, 503);
}

TEST_F(Donors, SignOutEndsTheSessionOnTheServer) {
  const std::string session = signed_in_as_ana();
  const auto out = donor_post("/v1/donor/sign-out", session, "csrf=" + csrf_of(session));
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(out.headers.at("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(account(session).status, 303) << "the old cookie signs nobody in";
}

TEST_F(Donors, ReceiptsAgainQueueOneCopyOfEachReceiptOnceADay) {
  database_->execute(
      "INSERT INTO email_outbox (kind, movement, recipient, donor_name, campaign_title, amount, currency, "
      "occurred_at, status) VALUES "
      "('receipt', 'r-ana-1', 'Ana@Example.org', 'Ana', 'EOY', 4200, 'usd', now(), 'sent'), "
      "('receipt', 'r-ana-2', 'ana@example.org', 'Ana', 'EOY', 2500, 'usd', now(), 'sent'), "
      "('receipt', 'r-bo-1', 'bo@example.org', 'Bo', 'EOY', 7777, 'usd', now(), 'sent')");
  const std::string session = signed_in_as_ana();
  const std::string csrf = csrf_of(session);
  const auto first = donor_post("/v1/donor/receipts", session, "csrf=" + csrf);
  EXPECT_EQ(first.status, 303);
  EXPECT_EQ(first.headers.at("location"), "/donor/account?receipts=sent");
  EXPECT_EQ(donor_post("/v1/donor/receipts", session, "csrf=" + csrf).status, 303);
  EXPECT_EQ(outbox("movement LIKE 'copy:%'"), 2) << "Ana's two receipts, once, and none of Bo's";
  EXPECT_EQ(outbox("movement LIKE 'copy:%' AND lower(recipient) <> 'ana@example.org'"), 0);
}

TEST_F(Donors, BillingPortalChangesApplyInAnyOrderAndTheLatestWins) {
  const auto older = subscription_event("evt_sub_older", 1700000100, kAnaMonthly, "sub_ana", 3000, false);
  const auto newer = subscription_event("evt_sub_newer", 1700000200, kAnaMonthly, "sub_ana", 4500, true);
  deliver(newer);
  deliver(older);
  deliver(newer);
  EXPECT_EQ(database_->query_value("SELECT subscription_amount || ' ' || subscription_cancel_at_end || ' ' || status "
                                   "FROM pledges WHERE id = '" +
                                   std::string(kAnaMonthly) + "'"),
            "4500 true active");
  const auto page = account(signed_in_as_ana());
  EXPECT_NE(page.body.find("45.00 USD</strong> a month"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Ends on 2027-01-01"), std::string::npos) << page.body;
  // Bo's subscription through Ana's pledge id? The event's own subscription decides nothing
  // about whose pledge it is beyond what pledged linked: Bo's pledge is untouched.
  EXPECT_EQ(database_->query_value("SELECT coalesce(subscription_amount, 0) FROM pledges WHERE id = '" +
                                   std::string(kBoMonthly) + "'"),
            "0");
}

// The link's 30 minutes and the session's, with the use case's clock in the test's hands.
TEST_F(DonorLinkClock, ALinkExpiresAfterThirtyMinutesAndASessionAfterThirtyMore) {
  using namespace pledged;
  ConnectionPool pool(PoolOptions{database_->url()}, [] {
    auto all = DonorRepository::statements();
    for (const auto& s : StatementRepository::statements()) all.push_back(s);
    return all;
  }());
  DonorRepository donors(pool);
  StatementRepository statement_repository(pool);
  YearStatements statements(statement_repository, Organisation{"Org", "", ""});
  Timestamp now = parse_rfc3339("2026-12-06T12:00:00Z").value();
  DonorSelfService service(
      DonorSelfService::Deps{donors, statements, nullptr, "https://give.example", [&] { return now; }});

  const auto newest_token = [&] {
    const std::string link =
        database_->query_value("SELECT summary FROM email_outbox WHERE kind = 'donor_link' ORDER BY id DESC LIMIT 1");
    return link.substr(link.rfind('/') + 1);
  };
  ASSERT_TRUE(service.send_link("ana@example.org"));
  const std::string first = newest_token();
  ASSERT_TRUE(service.send_link("ana@example.org"));
  const std::string second = newest_token();
  ASSERT_NE(first, second);

  now += std::chrono::minutes(29) + std::chrono::seconds(59);
  auto ticket = service.sign_in(first);
  ASSERT_TRUE(ticket);
  ASSERT_TRUE(ticket->has_value()) << "29:59 after it was sent, the link works";
  EXPECT_FALSE(service.sign_in(first)->has_value()) << "once";

  now += std::chrono::seconds(1);
  EXPECT_FALSE(service.sign_in(second)->has_value()) << "at 30:00 it has expired";

  const std::string session_id = (*ticket)->session_id;
  now += std::chrono::minutes(29);
  EXPECT_TRUE(service.session(session_id)->has_value());
  now += std::chrono::minutes(1);
  EXPECT_FALSE(service.session(session_id)->has_value()) << "a session lasts 30 minutes";
}
