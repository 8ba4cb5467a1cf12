#pragma once
// Donor self-service (API.md, "Donors"): /donor, the sign-in link and its exchange for
// a session cookie, the account page, Manage (Billing Portal), statements, receipts again.
#include <string>

#include "pledged/core/trusted_proxies.hpp"
#include "pledged/core/worker_pool.hpp"
#include "pledged/donors/donor_self_service.hpp"
#include "pledged/http/route_table.hpp"

namespace pledged {

struct DonorDeps {
  DonorSelfService& donors;
  WorkerPool& workers;
  const TrustedProxies& trusted_proxies;
  std::string public_url;      // PLEDGED_PUBLIC_URL: Secure cookies when https; the Origin POSTs must carry
  std::string portal_origins;  // where Manage's redirect may go (the account page's CSP form-action)
};
void add_donor_routes(RouteTable& routes, DonorDeps deps);

}  // namespace pledged
