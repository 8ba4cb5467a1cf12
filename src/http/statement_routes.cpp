// Year-end statements: GET /v1/reports/statements/{year}.csv (viewer) streams one row
// per donor; POST /v1/admin/statements/{year}/send (admin) queues every donor's
// statement email once and answers 202 with how many were queued.
#include "statement_routes.hpp"

#include <nlohmann/json.hpp>

namespace pledged {

using Pistache::Http::Method;

void add_statement_routes(RouteTable& routes, StaffGate& gate, YearStatements& statements) {
  routes.add(Method::Get, "/v1/reports/statements/:year.csv",
             gate.guard(StaffRole::viewer, [&statements](const StaffCall& call) -> Result<HttpResponse> {
               auto year = parse_statement_year(call.param("year"));
               if (!year) return year.error();
               HttpResponse head{200, "", "text/csv; charset=utf-8", {}};
               head.with_header("Content-Disposition",
                                "attachment; filename=\"statements-" + std::to_string(*year) + ".csv\"")
                   .with_header("Cache-Control", "no-store");
               call.exchange->stream(
                   head, [&](const Exchange::ChunkWriter& chunk) { return statements.write_csv(*year, chunk); });
               return head;  // already streamed; the Exchange ignores a second answer
             }));
  routes.add(Method::Post, "/v1/admin/statements/:year/send",
             gate.guard(StaffRole::admin, [&statements](const StaffCall& call) -> Result<HttpResponse> {
               auto year = parse_statement_year(call.param("year"));
               if (!year) return year.error();
               auto queued = statements.send_year(*year, call.actor());
               if (!queued) return queued.error();
               return json_response(202, nlohmann::json{{"year", *year}, {"queued", *queued}});
             }));
}

}  // namespace pledged
