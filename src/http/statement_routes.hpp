#pragma once
// Year-end statements: the staff CSV (viewer) and sending every donor theirs (admin).
#include "pledged/http/route_table.hpp"
#include "pledged/http/staff_gate.hpp"
#include "pledged/statements/year_statements.hpp"

namespace pledged {

void add_statement_routes(RouteTable& routes, StaffGate& gate, YearStatements& statements);

}  // namespace pledged
