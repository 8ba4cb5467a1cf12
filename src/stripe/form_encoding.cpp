#include "pledged/stripe/form_encoding.hpp"

namespace pledged::stripe {
namespace {

void flatten_into(const std::string& prefix, const nlohmann::json& value, std::vector<FormField>& out) {
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      flatten_into(prefix.empty() ? key : prefix + "[" + key + "]", child, out);
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) flatten_into(prefix + "[" + std::to_string(i) + "]", value[i], out);
  } else if (value.is_string()) {
    out.emplace_back(prefix, value.get<std::string>());
  } else if (value.is_null()) {
    out.emplace_back(prefix, "");
  } else {
    out.emplace_back(prefix, value.dump());  // numbers and booleans print as Stripe expects
  }
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string encode_key(std::string_view key) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= key.size(); ++i) {
    if (i == key.size() || key[i] == '[' || key[i] == ']') {
      out += percent_encode(key.substr(start, i - start));
      if (i < key.size()) out.push_back(key[i]);
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

std::vector<FormField> flatten_form(const nlohmann::json& params) {
  std::vector<FormField> out;
  flatten_into("", params, out);
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::string encode_form(const std::vector<FormField>& fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += encode_key(key);
    out.push_back('=');
    out += percent_encode(value);
  }
  return out;
}

}  // namespace pledged::stripe
