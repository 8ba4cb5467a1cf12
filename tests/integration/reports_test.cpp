#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "csv_reader.hpp"
#include "staff_fixture.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

struct SeededEntry {
  std::string kind;
  long long amount;
  std::time_t at;
  std::string donor;  // "" = unknown donor
  std::string pledge;
  std::string frequency;  // of the pledge ("once" for offline gifts)
  std::string object_id;
};

constexpr std::time_t kCampaignStart = 1794700800;  // 2026-11-15T00:00:00Z
// New York is on EST (UTC-5) for the whole campaign: DST ended on 2026-11-01.
constexpr std::time_t kNewYorkOffset = -5 * 3600;

std::string utc_text(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string date_text(std::time_t t) { return utc_text(t).substr(0, 10); }

bool is_gift(const SeededEntry& e) { return e.kind == "payment" || e.kind == "offline_gift"; }

std::string pledge_id(char kind, int donor) {
  std::string digits = std::to_string(donor);
  return "pl_" + std::string(1, kind) + std::string(20 - digits.size(), '0') + digits;
}

class Reports : public StaffFixture {
 protected:
  // A reproducible storm of payments, offline gifts, refunds and disputes from a
  // dozen donors over the campaign and a day beyond it.
  std::vector<SeededEntry> seed_ledger() {
    for (int donor = 0; donor < 12; ++donor) {
      const auto email = "donor" + std::to_string(donor) + "@example.org";
      insert_pledge(pledge_id('o', donor), "once", email, "Donor " + std::to_string(donor), donor == 3);
      insert_pledge(pledge_id('m', donor), "monthly", email, "Donor " + std::to_string(donor), donor == 3);
    }
    std::mt19937 random(20261115);
    std::vector<SeededEntry> entries;
    std::string values;
    for (int n = 0; n < 160; ++n) {
      SeededEntry e;
      const int roll = static_cast<int>(random() % 100);
      e.kind = roll < 55 ? "payment" : roll < 70 ? "offline_gift" : roll < 85 ? "refund"
               : roll < 93 ? "dispute_withdrawal" : "dispute_reinstatement";
      const long long size = 100 + static_cast<long long>(random() % 20000);
      e.amount = (e.kind == "refund" || e.kind == "dispute_withdrawal") ? -size : size;
      e.at = kCampaignStart + static_cast<std::time_t>(random() % (48 * 86400));
      const int donor = static_cast<int>(random() % 12);
      const bool monthly = e.kind == "payment" && random() % 3 == 0;
      e.frequency = monthly ? "monthly" : "once";
      if (e.kind == "offline_gift") {
        if (random() % 5 != 0) e.donor = "donor" + std::to_string(donor) + "@example.org";
      } else {
        e.donor = "donor" + std::to_string(donor) + "@example.org";
        e.pledge = pledge_id(monthly ? 'm' : 'o', donor);
        e.object_id = std::string(e.kind == "payment" ? "py_" : e.kind == "refund" ? "re_" : "du_") + std::to_string(n);
      }
      const auto text = [](const std::string& v) { return v.empty() ? std::string("NULL::text") : "'" + v + "'"; };
      values += std::string(values.empty() ? "" : ",") + "(" + text(e.pledge) + ", '" + e.kind + "', " +
                std::to_string(e.amount) + ", " + text(e.donor) + ", " + text(e.object_id) + ", " +
                (e.kind == "offline_gift" ? "'cash'" : "NULL::text") + ", '" + utc_text(e.at) + "')";
      entries.push_back(e);
    }
    database_->execute(
        "INSERT INTO ledger_entries (campaign_id, pledge_id, kind, amount, currency, donor_key, stripe_object_id, "
        "offline_method, occurred_at) SELECT c.id, v.pledge, v.kind, v.amount, 'usd', v.donor, v.object, v.method, "
        "v.at::timestamptz FROM campaigns c, (VALUES " + values + ") v(pledge, kind, amount, donor, object, method, at) "
        "WHERE c.slug = 'eoy-2026'");
    return entries;
  }

  json report(const std::string& query) {
    const auto reply = staff_get("/v1/reports/campaigns/eoy-2026" + query, viewer_token_);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return json::parse(reply.body);
  }

  // Every figure of the report, computed here from the seeded entries.
  static json expected_figures(const std::vector<SeededEntry>& entries, const std::string& from,
                               const std::string& to, std::time_t offset) {
    long long raised = 0, gross = 0, refunded = 0, disputed = 0, net = 0, gifts = 0, net_before = 0;
    std::set<std::string> donors, recurring;
    json once{{"gifts", 0}, {"amount", 0}}, monthly{{"gifts", 0}, {"amount", 0}};
    std::map<std::string, json> days;
    int unknown = 0;
    for (const auto& e : entries) {
      raised += e.amount;
      const auto day = date_text(e.at + offset);
      if (day < from) net_before += e.amount;
      if (day < from || day > to) continue;
      net += e.amount;
      auto& figures = days[day];
      if (figures.is_null()) figures = {{"gifts", 0}, {"amount", 0}, {"net", 0}};
      figures["net"] = figures["net"].get<long long>() + e.amount;
      if (e.kind == "refund") refunded -= e.amount;
      if (e.kind == "dispute_withdrawal" || e.kind == "dispute_reinstatement") disputed -= e.amount;
      if (!is_gift(e)) continue;
      gross += e.amount;
      ++gifts;
      figures["gifts"] = figures["gifts"].get<long long>() + 1;
      figures["amount"] = figures["amount"].get<long long>() + e.amount;
      const auto who = e.donor.empty() ? "unknown-" + std::to_string(unknown++) : e.donor;
      donors.insert(who);
      auto& by = e.frequency == "monthly" ? monthly : once;
      by["gifts"] = by["gifts"].get<long long>() + 1;
      by["amount"] = by["amount"].get<long long>() + e.amount;
      if (e.frequency == "monthly") recurring.insert(who);
    }
    for (auto& [day, figures] : days) figures["date"] = day;
    return {{"raised", raised},
            {"gross", gross},
            {"refunded", refunded},
            {"disputed", disputed},
            {"net", net},
            {"net_before_range", net_before},
            {"gifts", gifts},
            {"donors", donors.size()},
            {"recurring_donors", recurring.size()},
            {"average_gift", gifts == 0 ? 0 : (gross + gifts / 2) / gifts},
            {"by_frequency", {{"once", once}, {"monthly", monthly}}},
            {"days", days}};
  }

  static void expect_figures(const json& actual, const json& expected) {
    for (const char* key : {"raised", "gross", "refunded", "disputed", "net", "net_before_range", "gifts", "donors",
                            "recurring_donors", "average_gift", "by_frequency"}) {
      EXPECT_EQ(actual[key], expected[key]) << key;
    }
    long long days_with_money = 0;
    for (const auto& day : actual["by_day"]) {
      const auto found = expected["days"].find(day["date"].get<std::string>());
      if (found == expected["days"].end()) {
        EXPECT_EQ(day["gifts"], 0) << day;
        EXPECT_EQ(day["net"], 0) << day;
        continue;
      }
      ++days_with_money;
      EXPECT_EQ(day["gifts"], (*found)["gifts"]) << day;
      EXPECT_EQ(day["amount"], (*found)["amount"]) << day;
      EXPECT_EQ(day["net"], (*found)["net"]) << day;
    }
    EXPECT_EQ(days_with_money, static_cast<long long>(expected["days"].size()));
  }

  json wait_for_progress_raised(long long expected) {
    json body;
    for (int i = 0; i < 60; ++i) {
      body = json::parse(http_get(port(), "/v1/campaigns/eoy-2026/progress").body);
      if (body["raised"] == expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return body;
  }
};

}  // namespace

TEST_F(Reports, FiguresEqualWhatTheLedgerSaysInUtcOverTheWholeCampaign) {
  const auto entries = seed_ledger();
  const auto actual = report("");
  EXPECT_EQ(actual["campaign"], "eoy-2026");
  EXPECT_EQ(actual["currency"], "usd");
  EXPECT_EQ(actual["goal"], 5000000);
  EXPECT_EQ(actual["from"], "2026-11-15");
  EXPECT_EQ(actual["to"], "2026-12-31");
  EXPECT_EQ(actual["tz"], "UTC");
  EXPECT_EQ(actual["by_day"].size(), 47u);
  expect_figures(actual, expected_figures(entries, "2026-11-15", "2026-12-31", 0));
  EXPECT_EQ(wait_for_progress_raised(actual["raised"])["raised"], actual["raised"])
      << "raised is the progress route's";
}

TEST_F(Reports, FiguresFollowTheCalendarDaysOfTheAskedTimeZone) {
  const auto entries = seed_ledger();
  const auto actual = report("?from=2026-11-20&to=2026-12-20&tz=America/New_York");
  EXPECT_EQ(actual["tz"], "America/New_York");
  ASSERT_EQ(actual["by_day"].size(), 31u);
  EXPECT_EQ(actual["by_day"][0]["date"], "2026-11-20");
  EXPECT_EQ(actual["by_day"][30]["date"], "2026-12-20");
  expect_figures(actual, expected_figures(entries, "2026-11-20", "2026-12-20", kNewYorkOffset));
  const auto whole = expected_figures(entries, "2026-11-15", "2026-12-31", 0);
  EXPECT_EQ(actual["raised"], whole["raised"]) << "raised is always the whole campaign's";
}

TEST_F(Reports, AGiftAt2330OnNewYearsEveInNewYorkIsDecember31ThereAndJanuary1InUtc) {
  insert_entry("offline_gift", 1234, "2027-01-01T04:30:00Z", "late@example.org", "", "");
  const auto new_york = report("?from=2026-12-31&to=2026-12-31&tz=America/New_York");
  ASSERT_EQ(new_york["by_day"].size(), 1u);
  EXPECT_EQ(new_york["by_day"][0]["date"], "2026-12-31");
  EXPECT_EQ(new_york["by_day"][0]["gifts"], 1);
  EXPECT_EQ(new_york["by_day"][0]["amount"], 1234);
  EXPECT_EQ(new_york["gross"], 1234);

  EXPECT_EQ(report("?from=2026-12-31&to=2026-12-31&tz=America%2FNew_York")["gross"], 1234) << "percent-encoded zone";
  EXPECT_EQ(report("?from=2026-12-31&to=2026-12-31&tz=Etc/GMT%2B5")["gross"], 1234) << "UTC-5, POSIX sign";
  EXPECT_EQ(report("?from=2026-12-31&to=2026-12-31&tz=Etc/GMT+5")["gross"], 1234) << "'+' is not a space here";

  const auto utc_eve = report("?from=2026-12-31&to=2026-12-31&tz=UTC");
  EXPECT_EQ(utc_eve["gifts"], 0);
  EXPECT_EQ(utc_eve["by_day"][0]["gifts"], 0);
  const auto utc_new_year = report("?from=2027-01-01&to=2027-01-01");
  EXPECT_EQ(utc_new_year["by_day"][0]["date"], "2027-01-01");
  EXPECT_EQ(utc_new_year["by_day"][0]["gifts"], 1);
}

TEST_F(Reports, BadDatesAndTimeZonesAre422WithEveryField) {
  const auto reply =
      staff_get("/v1/reports/campaigns/eoy-2026?from=2026-02-30&to=soon&tz=Mars/Olympus_Mons", viewer_token_);
  EXPECT_EQ(reply.status, 422) << reply.body;
  const auto error = json::parse(reply.body)["error"];
  EXPECT_EQ(error["code"], "validation_failed");
  EXPECT_TRUE(error["fields"].contains("from"));
  EXPECT_TRUE(error["fields"].contains("to"));
  EXPECT_TRUE(error["fields"].contains("tz"));

  const auto injected = staff_get("/v1/reports/campaigns/eoy-2026?tz=UTC%27%3B%20SELECT%201--", viewer_token_);
  EXPECT_EQ(injected.status, 422);
  EXPECT_TRUE(json::parse(injected.body)["error"]["fields"].contains("tz"));
  const auto backwards = staff_get("/v1/reports/campaigns/eoy-2026?from=2026-12-10&to=2026-12-01", viewer_token_);
  EXPECT_EQ(backwards.status, 422);
  EXPECT_EQ(staff_get("/v1/reports/campaigns/no-such/gifts.csv", viewer_token_).status, 404);
  EXPECT_EQ(staff_get("/v1/reports/campaigns/no-such", viewer_token_).status, 404);
}

TEST_F(Reports, TopDonorsShowNamesExceptForThoseWhoAskedToStayAnonymous) {
  insert_pledge(pledge_id('o', 1), "once", "ana@example.org", "Ana", false);
  insert_pledge(pledge_id('o', 2), "once", "zed@example.org", "Zed", true);
  insert_entry("payment", 9000, "2026-11-20T12:00:00Z", "zed@example.org", pledge_id('o', 2), "py_z");
  insert_entry("payment", 5000, "2026-11-21T12:00:00Z", "ana@example.org", pledge_id('o', 1), "py_a1");
  insert_entry("payment", 2000, "2026-11-22T12:00:00Z", "ana@example.org", pledge_id('o', 1), "py_a2");
  const auto top = report("")["top_donors"];
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0]["name"], "Anonymous");
  EXPECT_EQ(top[0]["amount"], 9000);
  EXPECT_FALSE(top[0].contains("email"));
  EXPECT_EQ(top[1]["name"], "Ana");
  EXPECT_EQ(top[1]["amount"], 7000);
  EXPECT_EQ(top[1]["gifts"], 2);
}

TEST_F(Reports, LapsedDonorsGaveToThePreviousCampaignButNotYetToThisOne) {
  database_->execute(
      "INSERT INTO campaigns (slug, title, currency, goal, starts_at, ends_at) VALUES "
      "('eoy-2025', 'Last year', 'usd', 100000, '2025-11-15', '2025-12-31T23:59:59Z'), "
      "('eoy-2024', 'Two years ago', 'usd', 100000, '2024-11-15', '2024-12-31T23:59:59Z')");
  insert_pledge(pledge_id('o', 1), "once", "ana@example.org", "Ana", false, "eoy-2025");
  insert_entry("payment", 3000, "2025-12-01T12:00:00Z", "ana@example.org", pledge_id('o', 1), "py_1", "eoy-2025");
  insert_entry("offline_gift", 800, "2025-12-02T12:00:00Z", "ben@example.org", "", "", "eoy-2025");
  insert_entry("offline_gift", 700, "2025-12-03T12:00:00Z", "cat@example.org", "", "", "eoy-2025");
  insert_entry("offline_gift", 999, "2024-12-03T12:00:00Z", "old@example.org", "", "", "eoy-2024");
  insert_entry("offline_gift", 500, "2026-11-20T12:00:00Z", "cat@example.org", "", "");  // cat came back

  const auto lapsed = report("")["lapsed_donors"];
  ASSERT_EQ(lapsed.size(), 2u) << lapsed;
  EXPECT_EQ(lapsed[0]["email"], "ana@example.org");
  EXPECT_EQ(lapsed[0]["name"], "Ana");
  EXPECT_EQ(lapsed[0]["amount"], 3000);
  EXPECT_EQ(lapsed[1]["email"], "ben@example.org");
  EXPECT_EQ(lapsed[1]["amount"], 800);
}

TEST_F(Reports, PaceProjectsTheLastSevenDaysToTheEnd) {
  database_->execute(
      "INSERT INTO campaigns (slug, title, currency, goal, starts_at, ends_at) VALUES "
      "('now-2026', 'Running now', 'usd', 50000, date_trunc('second', now()) - interval '10 days', "
      " date_trunc('second', now()) + interval '20 days')");
  insert_entry("offline_gift", 3000, "2000-01-01", "", "", "", "now-2026");  // long ago: not in the pace
  database_->execute("UPDATE ledger_entries SET occurred_at = now() - interval '9 days'");
  for (int day = 1; day <= 7; ++day) {
    insert_entry("offline_gift", 1000, "2000-01-01", "", "", "", "now-2026");
    database_->execute("UPDATE ledger_entries SET occurred_at = now() - interval '" + std::to_string(day) +
                       " days' + interval '1 hour' WHERE occurred_at = '2000-01-01'");
  }
  const auto reply = staff_get("/v1/reports/campaigns/now-2026", viewer_token_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto pace = json::parse(reply.body)["pace"];
  EXPECT_EQ(pace["last_7_days"], 7000);
  EXPECT_EQ(pace["per_day"], 1000);
  // 10000 now + 1000 a day for 20 days (give or take the seconds the test takes).
  EXPECT_GE(pace["expected_at_end"].get<long long>(), 29990);
  EXPECT_LE(pace["expected_at_end"].get<long long>(), 30000);
  // 40000 missing at 1000 a day: 40 days from now, after the end.
  EXPECT_EQ(pace["goal_reached_before_end"], false);
  EXPECT_EQ(pace["goal_reached_on"], database_->query_value("SELECT (now() + interval '40 days')::date::text"));
}

TEST_F(Reports, WebhookHealthShowsLastEventPerTypeFailuresAndWaiting) {
  database_->execute(
      "INSERT INTO webhook_events (id, type, stripe_created, payload, status, received_at) VALUES "
      "('evt_1', 'invoice.paid', now(), '{}', 'applied', now() - interval '2 hours'), "
      "('evt_2', 'invoice.paid', now(), '{}', 'failed', now() - interval '1 hour'), "
      "('evt_3', 'charge.refunded', now(), '{}', 'waiting', now() - interval '30 minutes'), "
      "('evt_4', 'charge.refunded', now(), '{}', 'failed', now() - interval '3 days')");
  const auto reply = staff_get("/v1/reports/webhooks/health", viewer_token_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto health = json::parse(reply.body);
  EXPECT_EQ(health["failed_24h"], 1);
  EXPECT_EQ(health["failed"], 2);
  EXPECT_EQ(health["waiting"], 1);
  EXPECT_EQ(health["received_24h"], 3);
  ASSERT_EQ(health["by_type"].size(), 2u);
  EXPECT_EQ(health["by_type"][0]["type"], "charge.refunded");
  EXPECT_EQ(health["by_type"][1]["type"], "invoice.paid");
  EXPECT_EQ(health["by_type"][1]["failed_24h"], 1);
  EXPECT_TRUE(health["oldest_waiting_at"].is_string());
}

TEST_F(Reports, FeesCoveredAreThePledgesFeesInPaymentsOfWhatCheckoutChargedInTheRange) {
  // $25 once with its fee (2606 charged, fee 106), $10 monthly with its fee (1061, fee 61),
  // $25 once without. A refund takes nothing from fees_covered (it is a part of gross);
  // an installment the donor changed to 1500 in the Billing Portal carries no fee.
  insert_pledge("pl_f0000000000000000001", "once", "fay@example.org", "Fay", false);
  insert_pledge("pl_f0000000000000000002", "monthly", "mo@example.org", "Mo", false);
  insert_pledge("pl_f0000000000000000003", "once", "cy@example.org", "Cy", false);
  database_->execute("UPDATE pledges SET fee = 106 WHERE id = 'pl_f0000000000000000001'");
  database_->execute("UPDATE pledges SET amount = 1000, fee = 61 WHERE id = 'pl_f0000000000000000002'");
  insert_entry("payment", 2606, "2026-11-20T10:00:00Z", "fay@example.org", "pl_f0000000000000000001", "py_f1");
  insert_entry("refund", -2606, "2026-11-25T10:00:00Z", "fay@example.org", "pl_f0000000000000000001", "re_f1");
  insert_entry("payment", 1061, "2026-11-21T10:00:00Z", "mo@example.org", "pl_f0000000000000000002", "in_f1");
  insert_entry("payment", 1061, "2026-12-21T10:00:00Z", "mo@example.org", "pl_f0000000000000000002", "in_f2");
  insert_entry("payment", 1500, "2026-12-22T10:00:00Z", "mo@example.org", "pl_f0000000000000000002", "in_f3");
  insert_entry("payment", 2500, "2026-11-22T10:00:00Z", "cy@example.org", "pl_f0000000000000000003", "py_f3");
  insert_entry("offline_gift", 1000, "2026-11-23T10:00:00Z", "cash@example.org", "", "");

  EXPECT_EQ(report("")["fees_covered"], 106 + 61 + 61);
  EXPECT_EQ(report("?from=2026-11-15&to=2026-11-30")["fees_covered"], 106 + 61);
  EXPECT_EQ(report("?from=2026-12-01&to=2026-12-31")["fees_covered"], 61);
  EXPECT_EQ(report("?from=2026-11-22&to=2026-11-25")["fees_covered"], 0);

  const auto csv = staff_get("/v1/reports/campaigns/eoy-2026/gifts.csv", viewer_token_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  const auto rows = parse_csv(csv.body);
  ASSERT_EQ(rows.size(), 8u) << csv.body;
  const auto fee_column =
      static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "fee_covered") - rows[0].begin());
  ASSERT_LT(fee_column, rows[0].size()) << "a fee_covered column";
  const auto stripe_column =
      static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "stripe_object_id") - rows[0].begin());
  std::map<std::string, std::string> fee_by_object;
  for (std::size_t i = 1; i < rows.size(); ++i) fee_by_object[rows[i][stripe_column]] = rows[i][fee_column];
  EXPECT_EQ(fee_by_object, (std::map<std::string, std::string>{{"py_f1", "106"},
                                                               {"re_f1", "0"},
                                                               {"in_f1", "61"},
                                                               {"in_f2", "61"},
                                                               {"in_f3", "0"},
                                                               {"py_f3", "0"},
                                                               {"", "0"}}));
}
