#include "pledged/core/csv.hpp"

namespace pledged {
namespace {

bool starts_like_formula(std::string_view value) {
  if (value.empty()) return false;
  const char first = value.front();
  return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
}

bool needs_quotes(std::string_view value) { return value.find_first_of(",\"\r\n") != std::string_view::npos; }

}  // namespace

std::string csv_text(std::string_view value) {
  std::string cell;
  cell.reserve(value.size() + 3);
  if (starts_like_formula(value)) cell.push_back('\'');
  cell.append(value);
  if (!needs_quotes(cell)) return cell;
  std::string quoted;
  quoted.reserve(cell.size() + 4);
  quoted.push_back('"');
  for (const char c : cell) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

namespace {

template <typename Cells>
void append_cells(std::string& out, const Cells& cells) {
  bool first = true;
  for (const auto& cell : cells) {
    if (!first) out.push_back(',');
    out.append(cell);
    first = false;
  }
  out.append("\r\n");
}

}  // namespace

void append_csv_row(std::string& out, std::initializer_list<std::string> cells) { append_cells(out, cells); }

void append_csv_row(std::string& out, const std::vector<std::string>& cells) { append_cells(out, cells); }

}  // namespace pledged
