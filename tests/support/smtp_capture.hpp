#pragma once
// A real SMTP server on loopback (tools/smtp-capture) as a child process: what pledged
// sends arrives there, and each message is read back as JSON. The mail (donor
// addresses) is kept in a temporary folder of its own, outside PLEDGED_TEST_LOG_DIR,
// which the log audit reads for leaked addresses.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pledged::testing {

class SmtpCapture {
 public:
  // port 0: a free one.
  explicit SmtpCapture(std::uint16_t port = 0);
  ~SmtpCapture();  // stops the server and removes its folder
  SmtpCapture(const SmtpCapture&) = delete;
  SmtpCapture& operator=(const SmtpCapture&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  // Every message received so far, oldest first: envelope_from, recipients, headers,
  // subject, message_id, text, html, raw.
  std::vector<nlohmann::json> messages() const;
  // Waits (up to `within`) until at least `count` messages arrived; returns them all.
  std::vector<nlohmann::json> wait_for(std::size_t count, std::chrono::seconds within) const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string folder_;
};

}  // namespace pledged::testing
