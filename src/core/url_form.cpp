#include "pledged/core/url_form.hpp"

namespace pledged {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode_component(std::string_view text, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return false;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return false;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return true;
}

}  // namespace

bool decode_form(std::string_view body, std::vector<FormField>& out) {
  out.clear();
  std::size_t start = 0;
  while (start <= body.size() && !body.empty()) {
    auto end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const auto pair = body.substr(start, end - start);
    if (!pair.empty()) {
      const auto equals = pair.find('=');
      std::string key;
      std::string value;
      if (!decode_component(pair.substr(0, equals), key)) return false;
      if (equals != std::string_view::npos && !decode_component(pair.substr(equals + 1), value)) return false;
      out.emplace_back(std::move(key), std::move(value));
    }
    start = end + 1;
  }
  return true;
}

std::string form_value(const std::vector<FormField>& fields, std::string_view key) {
  for (const auto& [name, value] : fields) {
    if (name == key) return value;
  }
  return {};
}

}  // namespace pledged
