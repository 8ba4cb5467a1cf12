#include "pledged/http/client_ip.hpp"

namespace pledged {

// nginx (deploy/nginx/pledged.conf) sets X-Forwarded-For (and X-Real-IP) to the
// address it saw; X-Forwarded-For is read because it also carries longer chains.
std::string client_ip(const RouteRequest& request, const TrustedProxies& proxies) {
  const std::string peer = request.http().address().host();
  if (proxies.empty()) return peer;
  return select_client_ip(peer, request.header("X-Forwarded-For"), proxies);
}

}  // namespace pledged
