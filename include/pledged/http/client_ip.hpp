#pragma once
// The one place a handler learns the client's address (rate limits, throttles,
// audit records): the TCP peer, or what a trusted proxy says in X-Forwarded-For.
#include <string>

#include "pledged/core/trusted_proxies.hpp"
#include "pledged/http/route_table.hpp"

namespace pledged {

std::string client_ip(const RouteRequest& request, const TrustedProxies& proxies);

}  // namespace pledged
