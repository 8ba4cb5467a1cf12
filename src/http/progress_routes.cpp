// GET /v1/campaigns/:slug/progress: the banner's data, straight from memory.
#include <algorithm>

#include "progress_routes.hpp"

namespace pledged {

using Pistache::Http::Method;

namespace {

// Cache for up to 5 s (the contract's ceiling) at browsers and CDNs.
constexpr const char* kCacheControl = "public, max-age=5";

// The Access-Control-Allow-Origin value for this request, or empty.
std::string allowed_origin(const RouteRequest& request, const std::vector<std::string>& allowed) {
  const auto origin = request.header("Origin");
  if (!origin) return {};
  if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) return "*";
  if (std::find(allowed.begin(), allowed.end(), *origin) != allowed.end()) return *origin;
  return {};
}

void add_cors(HttpResponse& response, const std::string& origin) {
  response.with_header("Vary", "Origin");
  if (origin.empty()) return;
  response.with_header("Access-Control-Allow-Origin", origin);
  response.with_header("Access-Control-Expose-Headers", "ETag, X-Request-Id");
}

// If-None-Match may list several tags, or "*"; weak comparison is what RFC 9110 asks for here.
bool matches_etag(const std::string& if_none_match, const std::string& etag) {
  if (if_none_match.find('*') != std::string::npos) return true;
  return if_none_match.find(etag) != std::string::npos;
}

}  // namespace

void add_progress_routes(RouteTable& routes, const ProgressCache& cache, const Config& config) {
  const auto allowed = config.allowed_origins;
  const std::string pattern = "/v1/campaigns/:slug/progress";

  routes.add(Method::Get, pattern, [&cache, allowed](const RouteRequest& request, ExchangePtr exchange) {
    const auto progress = cache.find(request.param("slug"));
    if (!progress) {
      exchange->send_error(make_error(ErrorCode::not_found, "no campaign with that slug"));
      return;
    }
    HttpResponse response;
    const auto if_none_match = request.header("If-None-Match");
    if (if_none_match && matches_etag(*if_none_match, progress->etag)) {
      response.status = 304;
    } else {
      response = json_response(200, progress->body);
    }
    response.with_header("ETag", progress->etag).with_header("Cache-Control", kCacheControl);
    add_cors(response, allowed_origin(request, allowed));
    exchange->send(response);
  });

  // CORS preflight (a site that sends If-None-Match from fetch() triggers one).
  routes.add(Method::Options, pattern, [allowed](const RouteRequest& request, ExchangePtr exchange) {
    HttpResponse response{204, "", "", {}};
    const auto origin = allowed_origin(request, allowed);
    add_cors(response, origin);
    if (!origin.empty()) {
      response.with_header("Access-Control-Allow-Methods", "GET, OPTIONS")
          .with_header("Access-Control-Allow-Headers", "If-None-Match, X-Request-Id")
          .with_header("Access-Control-Max-Age", "86400");
    }
    exchange->send(response);
  });
}

}  // namespace pledged
