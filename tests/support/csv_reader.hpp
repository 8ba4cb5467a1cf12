#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace pledged::testing {

// An RFC 4180 reader written for the tests, independent of the writer: quoted
// fields with doubled quotes, commas and line breaks inside quotes, CRLF rows.
inline std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      field_started = false;
      ++i;
    } else {
      if (c == '"') throw std::runtime_error("bare quote inside an unquoted field");
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) throw std::runtime_error("unterminated quoted field");
  if (field_started || !row.empty()) throw std::runtime_error("last row without CRLF");
  return rows;
}


}  // namespace pledged::testing
