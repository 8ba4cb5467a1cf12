#pragma once
// What a handler answers, before it touches Pistache: status, body, headers.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "pledged/core/result.hpp"

namespace pledged {

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;

  HttpResponse& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

inline constexpr const char* kJsonContentType = "application/json; charset=utf-8";

HttpResponse json_response(int status, std::string body);
HttpResponse json_response(int status, const nlohmann::json& body);

// The one place that maps error codes to HTTP statuses and to the API's error shape.
// An internal error's message is replaced by a generic sentence: the original is for
// the log (the caller logs it with the request id), never for the client.
int http_status_for(ErrorCode code);
HttpResponse error_response(const Error& error);

}  // namespace pledged
