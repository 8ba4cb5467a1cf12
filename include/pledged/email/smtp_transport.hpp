#pragma once
// Sends one message by SMTP through libcurl: smtp:// (STARTTLS when the server offers
// it), smtps://, credentials from the URL. libcurl stays inside this layer.
#include <atomic>
#include <chrono>
#include <string>

#include "pledged/core/result.hpp"
#include "pledged/email/email_message.hpp"

namespace pledged::email {

struct SmtpOptions {
  std::string url;  // a secret (credentials): never in an error or a log
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds total_timeout{30000};  // one message, all included
};

class SmtpTransport {
 public:
  // `cancel`, when set, aborts a transfer in flight (shutdown).
  SmtpTransport(SmtpOptions options, const std::atomic<bool>* cancel);
  // unavailable on any failure; the message says what failed without an address.
  Status send(const EmailMessage& message) const;

 private:
  SmtpOptions options_;
  const std::atomic<bool>* cancel_;
};

}  // namespace pledged::email
