// Unmatched Stripe events (issue 13, case 7) over HTTP and the command line: staff see
// the count and the list; an admin, and only an admin, applies one again, audited.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "staff_fixture.hpp"
#include "stripe_history.hpp"

using namespace pledged::testing;
using nlohmann::json;

namespace {

class UnmatchedEvents : public StaffFixture {
 protected:
  // A charge's refund that no pledge will ever claim, stored 80 hours ago.
  void insert_unmatched(const std::string& id) const {
    json charge = stripe_template("charge");
    charge["id"] = "ch_never_ours";
    charge["amount_refunded"] = 500;
    charge["payment_intent"] = "pi_never_ours";
    const auto body = stripe_event(id, "charge.refunded", charge, 1795000000);
    database_->execute(
        "INSERT INTO webhook_events (id, type, stripe_created, payload, raw_body, status, received_at, awaits) "
        "VALUES ('" +
        id + "', 'charge.refunded', to_timestamp(1795000000), $body$" + body + "$body$::jsonb, $body$" + body +
        "$body$, 'unmatched', now() - interval '80 hours', '{ch_never_ours,pi_never_ours}')");
  }
};

}  // namespace

TEST_F(UnmatchedEvents, ListedForViewersReappliedByAdminsOverHttpAndTheCommandLine) {
  insert_unmatched("evt_unmatched_1");
  const auto health = json::parse(staff_get("/v1/reports/webhooks/health", viewer_token_).body);
  EXPECT_EQ(health["unmatched"], 1);
  EXPECT_EQ(health["waiting"], 0);

  const auto listed = staff_get("/v1/reports/webhooks/unmatched", viewer_token_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto list = json::parse(listed.body);
  EXPECT_EQ(list["count"], 1);
  ASSERT_EQ(list["events"].size(), 1u);
  EXPECT_EQ(list["events"][0]["id"], "evt_unmatched_1");
  EXPECT_EQ(list["events"][0]["awaits"], json::array({"ch_never_ours", "pi_never_ours"}));

  const std::string reapply = "/v1/admin/webhooks/events/evt_unmatched_1/reapply";
  EXPECT_EQ(staff_send("POST", reapply, viewer_token_, json::object()).status, 403);
  const auto again = staff_send("POST", reapply, admin_token_, json::object());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["status"], "unmatched") << "still no pledge: unmatched again";
  EXPECT_EQ(staff_send("POST", "/v1/admin/webhooks/events/evt_nothing/reapply", admin_token_, json::object()).status,
            404);
  EXPECT_EQ(database_->query_value("SELECT actor FROM audit_log WHERE action = 'webhook_event.reapply'"), "admin-ana");

  const auto cli = run_pledged({"webhooks", "reapply", "evt_unmatched_1"}, database_env());
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  EXPECT_NE(cli.out.find("evt_unmatched_1 unmatched"), std::string::npos) << cli.out;
  EXPECT_EQ(database_->query_value("SELECT count(*) FROM audit_log WHERE action = 'webhook_event.reapply'"), "2");
  const auto cli_list = run_pledged({"webhooks", "unmatched"}, database_env());
  EXPECT_EQ(cli_list.exit_code, 0) << cli_list.err;
  EXPECT_NE(cli_list.out.find("evt_unmatched_1\tcharge.refunded"), std::string::npos) << cli_list.out;
  EXPECT_EQ(database_->query_value("SELECT coalesce(sum(amount), 0) FROM ledger_entries"), "0");
}
