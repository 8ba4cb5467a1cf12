#include "pledged/email/outbox_sender.hpp"

#include <algorithm>

namespace pledged::email {
namespace {

constexpr int kBatch = 10;
constexpr std::chrono::seconds kIdlePoll{1};
constexpr std::chrono::seconds kCountEvery{10};

}  // namespace

std::chrono::seconds retry_delay(int attempts) {
  const int doublings = std::clamp(attempts - 1, 0, 10);
  return std::min(std::chrono::seconds(2LL << doublings), std::chrono::seconds(1800));
}

SmtpOptions smtp_options_for_lease(std::string url, std::chrono::seconds lease) {
  SmtpOptions options{std::move(url)};
  options.total_timeout =
      std::min(options.total_timeout, std::chrono::duration_cast<std::chrono::milliseconds>(lease) / 2);
  options.connect_timeout = std::min(options.connect_timeout, options.total_timeout);
  return options;
}

OutboxSender::OutboxSender(EmailOutboxRepository& outbox, SmtpOptions smtp, std::chrono::seconds lease,
                           Organisation organisation, Logger& log, Metrics& metrics)
    : outbox_(outbox),
      smtp_options_(smtp),
      organisation_(std::move(organisation)),
      log_(log),
      metrics_(metrics),
      transport_(std::move(smtp), &stopping_),
      lease_(lease) {
  metrics_.add_gauges([this](std::string& out) {
    append_gauge(out, "pledged_email_outbox_queued", "Donor emails waiting in the outbox (every instance's).",
                 static_cast<double>(queued_.load()));
    append_gauge(out, "pledged_email_outbox_failed", "Donor emails given up, in the outbox.",
                 static_cast<double>(failed_.load()));
  });
}

void OutboxSender::refresh_counts() {
  const auto now = std::chrono::steady_clock::now();
  if (now - counted_at_ < kCountEvery) return;
  counted_at_ = now;
  if (auto counts = outbox_.counts()) {
    queued_ = counts->queued;
    failed_ = counts->failed;
  }
}

OutboxSender::~OutboxSender() { stop(); }

void OutboxSender::start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      refresh_counts();
      const bool more = send_due();
      lock.lock();
      if (!more) wake_.wait_for(lock, kIdlePoll, [this] { return stopping_.load(); });
    }
  });
}

void OutboxSender::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool OutboxSender::send_due() {
  const auto claimed_at = std::chrono::steady_clock::now();
  auto claimed = outbox_.claim(kBatch, lease_);
  if (!claimed) return false;  // the database is away: the next pass tries again
  for (const auto& row : *claimed) {
    // A send must end before the lease does, or another instance could send the row too.
    if (stopping_ || std::chrono::steady_clock::now() - claimed_at + smtp_options_.total_timeout > lease_) break;
    const auto message = compose_email(row, organisation_, now_utc());
    if (!message) {
      (void)outbox_.mark_attempt_failed(row.id, "recipient is no plain email address", std::chrono::seconds(0), true);
      metrics_.increment("pledged_emails_failed_total", "Donor emails given up.", "");
      log_.event("warn", "email refused: recipient is no plain address", {{"outbox_id", std::to_string(row.id)}});
      continue;
    }
    const auto sent = transport_.send(*message);
    if (sent) {
      // Sent but not marked (the database went away): sent again after the lease, with
      // the same Message-ID, so the resend is recognisable.
      (void)outbox_.mark_sent(row.id);
      metrics_.increment("pledged_emails_sent_total", "Donor emails the SMTP server accepted.", "");
      continue;
    }
    (void)outbox_.mark_attempt_failed(row.id, sent.error().message, retry_delay(row.attempts), false);
    metrics_.increment("pledged_email_send_errors_total", "Failed tries to send a donor email.", "");
    log_.event("warn", "email not sent, will retry",
               {{"outbox_id", std::to_string(row.id)},
                {"attempt", std::to_string(row.attempts)},
                {"error", json_quoted(sent.error().message)}});
  }
  return static_cast<int>(claimed->size()) == kBatch;
}

}  // namespace pledged::email
