// GET /v1/pledges/:id: a pledge's status and its campaign's progress (never its donor).
// The id is the only key, and it is unguessable; anything not shaped like one is 404
// on the reactor, without a database round trip.
#include "pledge_progress_routes.hpp"

#include <algorithm>
#include <cctype>

#include "pledged/http/worker_dispatch.hpp"

namespace pledged {

using Pistache::Http::Method;

namespace {

// "pl_" and 20 to 64 base62 characters (new_pledge_id makes 24).
bool looks_like_pledge_id(const std::string& id) {
  constexpr std::size_t kPrefix = 3;
  if (id.size() < kPrefix + 20 || id.size() > kPrefix + 64 || id.compare(0, kPrefix, "pl_") != 0) return false;
  return std::all_of(id.begin() + kPrefix, id.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

}  // namespace

void add_pledge_progress_routes(RouteTable& routes, PledgeProgress& pledge_progress, WorkerPool& workers) {
  routes.add(Method::Get, "/v1/pledges/:id",
             [&pledge_progress, &workers](const RouteRequest& request, ExchangePtr exchange) {
               auto id = request.param("id");
               if (!looks_like_pledge_id(id)) {
                 exchange->send_error(make_error(ErrorCode::not_found, "no pledge with that id"));
                 return;
               }
               answer_on_worker(workers, exchange, [&pledge_progress, id = std::move(id)]() -> Result<HttpResponse> {
                 auto view = pledge_progress.find(id, now_utc());
                 if (!view) return view.error();
                 // The page polls this to see its own gift: a stored copy would be the stale figure.
                 return json_response(200, pledge_progress_json(*view)).with_header("Cache-Control", "no-store");
               });
             });
}

}  // namespace pledged
