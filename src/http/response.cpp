#include "pledged/http/response.hpp"

#include <nlohmann/json.hpp>

namespace pledged {

HttpResponse json_response(int status, std::string body) {
  return HttpResponse{status, std::move(body), kJsonContentType, {}};
}

HttpResponse json_response(int status, const nlohmann::json& body) { return json_response(status, body.dump()); }

int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return 400;
    case ErrorCode::validation_failed: return 422;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::unsupported_media_type: return 415;
    case ErrorCode::payload_too_large: return 413;
    case ErrorCode::header_too_large: return 431;
    case ErrorCode::unauthorized: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::rate_limited: return 429;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::internal: return 500;
  }
  return 500;
}

HttpResponse error_response(const Error& error) {
  const int status = http_status_for(error.code);
  nlohmann::json body;
  body["error"]["code"] = to_string(error.code);
  if (error.code == ErrorCode::internal) {
    body["error"]["message"] = "Something went wrong on our side; it has been logged.";
  } else if (error.code == ErrorCode::unavailable) {
    body["error"]["message"] = "The service is temporarily unavailable; please retry shortly.";
  } else {
    body["error"]["message"] = error.message;
  }
  if (!error.fields.empty()) body["error"]["fields"] = error.fields;
  auto response = json_response(status, body);
  if (status == 503 || status == 429) response.with_header("Retry-After", "5");
  return response;
}

}  // namespace pledged
