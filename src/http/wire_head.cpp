#include "pledged/http/wire_head.hpp"

#include <pistache/http_defs.h>

namespace pledged {

namespace {

void append_on_one_line(std::string& out, std::string_view text) {
  for (const char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
}

}  // namespace

std::string wire_head(int status, const HeaderLines& headers) {
  std::string out;
  out.reserve(64 + headers.size() * 48);
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += Pistache::Http::codeString(static_cast<Pistache::Http::Code>(status));
  out += "\r\n";
  for (const auto& [name, value] : headers) {
    append_on_one_line(out, name);
    out += ": ";
    append_on_one_line(out, value);
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace pledged
