#pragma once
// GET /v1/pledges/:id: the thank-you page's question, "is my gift counted yet?".
#include "pledged/core/worker_pool.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/progress/pledge_progress.hpp"

namespace pledged {

void add_pledge_progress_routes(RouteTable& routes, PledgeProgress& pledge_progress, WorkerPool& workers);

}  // namespace pledged
