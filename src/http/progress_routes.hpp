#pragma once
// GET /v1/campaigns/:slug/progress: the banner's figures, from memory.
#include "pledged/config/config.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/progress/progress_cache.hpp"

namespace pledged {

void add_progress_routes(RouteTable& routes, const ProgressCache& cache, const Config& config);

}  // namespace pledged
