#include "pledged/http/page_template.hpp"

namespace pledged {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fill_template(std::string_view page, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(page.size() + 256);
  std::size_t position = 0;
  while (true) {
    const auto open = page.find("{{", position);
    if (open == std::string_view::npos) break;
    const auto close = page.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(page.substr(position, open - position));
    const auto found = values.find(std::string(page.substr(open + 2, close - open - 2)));
    if (found != values.end()) {
      out += html_escape(found->second);
    } else {
      out.append(page.substr(open, close + 2 - open));
    }
    position = close + 2;
  }
  out.append(page.substr(position));
  return out;
}

}  // namespace pledged
