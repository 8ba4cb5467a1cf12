#pragma once
// Errors a caller can act on are values. GCC 12 has no std::expected, so this is
// the small stand-in: a Result<T> holds either a value or an Error, and the caller
// must look before it takes the value.
#include <map>
#include <string>
#include <utility>
#include <variant>

namespace pledged {

enum class ErrorCode {
  bad_request,          // malformed input (e.g. not JSON)
  validation_failed,    // well-formed input with invalid fields
  not_found,
  conflict,
  unsupported_media_type,
  payload_too_large,
  header_too_large,
  unauthorized,
  forbidden,
  rate_limited,
  unavailable,          // a dependency (database, Stripe) cannot be reached right now
  internal,
};

// Stable, documented strings for the API's error shape.
const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::map<std::string, std::string> fields;  // field name -> what is wrong with it
  // When set, the API's code string instead of to_string(code) (e.g. "idempotency_key_reused"),
  // and the message is safe to show even for `unavailable`.
  std::string api_code{};
  int retry_after_seconds = 0;  // Retry-After for 429/503; 0 means the default
  // `unavailable` after waiting out a time limit (the pool's wait, a statement or lock
  // timeout): trying again at once would only wait as long again, so callers that
  // retry conflicts (deadlocks, serialization failures) do not retry this.
  bool waited_out = false;
};

inline Error make_error(ErrorCode code, std::string message) {
  Error error;
  error.code = code;
  error.message = std::move(message);
  return error;
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design
  static Status success() { return Status(); }

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};

// Fields a caller could not even read (a JSON value of the wrong type, say): field
// name -> what is wrong. A use case reports them together with its own findings and
// does nothing while there are any.
using UnreadableFields = std::map<std::string, std::string>;

// `checked`, unless some fields were unreadable: then a validation error naming them
// all, and whatever `checked` found wrong besides.
template <typename T>
Result<T> refuse_unreadable(Result<T> checked, const UnreadableFields& unreadable) {
  if (unreadable.empty()) return checked;
  Error merged = checked ? Error{ErrorCode::validation_failed, "the request has invalid fields", {}} : checked.error();
  for (const auto& [field, problem] : unreadable) merged.fields[field] = problem;
  return merged;
}

}  // namespace pledged
