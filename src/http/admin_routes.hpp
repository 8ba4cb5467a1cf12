#pragma once
// Admin routes (admin role): campaigns, offline gifts, matches, refunds and the audit log.
#include "pledged/admin/campaign_admin.hpp"
#include "pledged/admin/match_admin.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/http/staff_gate.hpp"
#include "pledged/refunds/pledge_refunds.hpp"

namespace pledged {

struct AdminDeps {
  CampaignAdmin& admin;
  PledgeRefunds& refunds;
  MatchAdmin& matches;
};
void add_admin_routes(RouteTable& routes, StaffGate& gate, AdminDeps deps);

}  // namespace pledged
