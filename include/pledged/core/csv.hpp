#pragma once
// RFC 4180 CSV that spreadsheets open safely: a text cell that starts with = + - @,
// a tab or a carriage return gets a leading apostrophe so that Excel, LibreOffice
// and Google Sheets show it as text instead of running it as a formula; cells with
// a comma, a quote or a line break are quoted, quotes doubled. Rows end in CRLF.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace pledged {

// A text cell, neutralised and quoted as needed.
std::string csv_text(std::string_view value);

// A number we formatted ourselves ("-2500", "25.00"): never a formula, never
// prefixed, so that sums still work in the spreadsheet.
inline std::string csv_number(std::int64_t value) { return std::to_string(value); }

// Appends encoded cells, comma-separated, and CRLF.
void append_csv_row(std::string& out, std::initializer_list<std::string> cells);
// The same, for a row whose columns are known at run time only.
void append_csv_row(std::string& out, const std::vector<std::string>& cells);

}  // namespace pledged
