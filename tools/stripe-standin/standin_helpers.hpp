#pragma once
// Small pieces the stand-in's API, checkout pages and Billing Portal pages share.
#include <ctime>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "pledged/core/crypto.hpp"
#include "tiny_http.hpp"

namespace standin {

using nlohmann::json;

inline long long now_seconds() { return static_cast<long long>(std::time(nullptr)); }

inline std::string new_id(const std::string& prefix, std::size_t length = 24) {
  return prefix + pledged::random_base62(length);
}

inline Response json_reply(int status, const json& body) {
  return Response{status, "application/json", body.dump(2), {}};
}

// Stripe's error shape.
inline Response stripe_error(int status, const std::string& type, const std::string& message,
                             const std::string& param = "", const std::string& code = "") {
  json error = {{"type", type}, {"message", message}};
  if (!param.empty()) error["param"] = param;
  if (!code.empty()) error["code"] = code;
  return json_reply(status, json{{"error", error}});
}

inline std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

inline std::string text_at(const json& object, std::initializer_list<const char*> path) {
  const json* node = &object;
  for (const char* key : path) {
    if (!node->is_object() || !node->contains(key)) return "";
    node = &(*node)[key];
  }
  return node->is_string() ? node->get<std::string>() : "";
}

inline Response redirect(const std::string& location) {
  Response response{303, "text/plain", "", {}};
  response.headers.emplace_back("Location", location);
  return response;
}

}  // namespace standin
