#pragma once
// The loop every instance runs when PLEDGED_SMTP_URL is set: claims due outbox rows
// (SKIP LOCKED, under a lease), sends each by SMTP, marks it sent or backs off. Its own
// thread: never a reactor thread, never in a webhook's request.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "pledged/core/log.hpp"
#include "pledged/core/metrics.hpp"
#include "pledged/db/email_outbox_repository.hpp"
#include "pledged/email/email_message.hpp"
#include "pledged/email/smtp_transport.hpp"

namespace pledged::email {

// The wait before the next try of a row tried `attempts` times: 2 s, doubling, at most
// 30 minutes (a day of tries, then the row is `failed`).
std::chrono::seconds retry_delay(int attempts);

class OutboxSender {
 public:
  OutboxSender(EmailOutboxRepository& outbox, SmtpOptions smtp, Organisation organisation, Logger& log,
               Metrics& metrics);
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void start();
  void stop();  // aborts a send in flight; its row is due again when its lease ends

 private:
  bool send_due();  // one batch; true when it was full (more may be due)

  EmailOutboxRepository& outbox_;
  SmtpOptions smtp_options_;
  Organisation organisation_;
  Logger& log_;
  Metrics& metrics_;
  std::atomic<bool> stopping_{false};
  SmtpTransport transport_;
  std::chrono::seconds lease_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace pledged::email
