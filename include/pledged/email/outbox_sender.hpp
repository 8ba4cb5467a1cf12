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

// SMTP timeouts that fit a claim's lease: one try takes at most half of it (and 30 s).
SmtpOptions smtp_options_for_lease(std::string url, std::chrono::seconds lease);

class OutboxSender {
 public:
  // `lease`: how long a claim keeps a row from other senders (PLEDGED_EMAIL_LEASE_SECONDS);
  // longer than the SMTP total timeout, or nothing would ever be sent.
  OutboxSender(EmailOutboxRepository& outbox, SmtpOptions smtp, std::chrono::seconds lease, Organisation organisation,
               Logger& log, Metrics& metrics);
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void start();
  void stop();  // aborts a send in flight; its row is due again when its lease ends

 private:
  bool send_due();        // one batch; true when it was full (more may be due)
  void refresh_counts();  // the outbox gauges, at most every 10 s

  EmailOutboxRepository& outbox_;
  SmtpOptions smtp_options_;
  Organisation organisation_;
  Logger& log_;
  Metrics& metrics_;
  std::atomic<bool> stopping_{false};
  SmtpTransport transport_;
  std::chrono::seconds lease_;
  // For /metrics (pledged_email_outbox_queued, _failed): read by the scrape, written here.
  std::atomic<std::int64_t> queued_{0};
  std::atomic<std::int64_t> failed_{0};
  std::chrono::steady_clock::time_point counted_at_{};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace pledged::email
