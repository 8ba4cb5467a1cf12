#pragma once
// The pages and scripts compiled into the binary: donate, thanks, embed, staff.
#include "pledged/config/config.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/progress/progress_cache.hpp"

namespace pledged {

void add_page_routes(RouteTable& routes, const ProgressCache& cache, const Config& config);

}  // namespace pledged
