#include "pledged/core/log.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "pledged/core/time.hpp"

namespace pledged {
namespace {

constexpr std::size_t kFlushAtBytes = 64 * 1024;

void write_all(int fd, const std::string& data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a failing log; drop rather than spin
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string json_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 8);
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHex[(c >> 4) & 0x0f];
          out += kHex[c & 0x0f];
        } else {
          out += c;
        }
    }
  }
  return out;
}

Logger::Logger(int fd) : fd_(fd), writer_([this] { run(); }) {}

Logger::~Logger() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  writer_.join();
}

void Logger::event(std::string_view level, std::string_view message,
                   std::initializer_list<std::pair<std::string, std::string>> fields) {
  std::string line = "{\"ts\":\"" + format_rfc3339(now_utc()) + "\",\"level\":" + json_quoted(level) +
                     ",\"msg\":" + json_quoted(message);
  for (const auto& [key, value] : fields) line += ",\"" + key + "\":" + value;
  line += "}";
  write_line(std::move(line));
}

void Logger::write_line(std::string line) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++queued_lines_;
    if (pending_.size() + line.size() + 1 > kMaxPendingBytes) {
      ++dropped_lines_;
      ++dropped_unlogged_;
      return;
    }
    pending_ += line;
    pending_ += '\n';
    wake = pending_.size() >= kFlushAtBytes;
  }
  if (wake) wake_.notify_one();
}

std::uint64_t Logger::dropped_lines() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_lines_;
}

void Logger::flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto target = queued_lines_;
  wake_.notify_one();
  flushed_.wait(lock, [&] { return written_lines_ >= target || stopping_; });
}

void Logger::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    // Wake at least every 100 ms so quiet periods still reach the log promptly.
    wake_.wait_for(lock, std::chrono::milliseconds(100));
    std::string batch;
    batch.swap(pending_);
    if (dropped_unlogged_ > 0) {
      batch += "{\"ts\":\"" + format_rfc3339(now_utc()) +
               "\",\"level\":\"warn\",\"msg\":\"log lines dropped: stderr did not keep up\",\"count\":" +
               std::to_string(dropped_unlogged_) + "}\n";
      dropped_unlogged_ = 0;
    }
    const auto lines = queued_lines_;
    const bool last = stopping_;
    lock.unlock();
    write_all(fd_, batch);
    lock.lock();
    written_lines_ = lines;
    flushed_.notify_all();
    if (last && pending_.empty()) return;
  }
}

}  // namespace pledged
