#pragma once
// One JSON object per line on stderr. Lines are queued and written by a background
// thread in batches, so a busy route does not pay a system call per request.
// Callers pass only what is safe to keep: never a secret, an email or a donor's name.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace pledged {

// JSON string escaping for values that go into a log line.
std::string json_escape(std::string_view text);

class Logger {
 public:
  explicit Logger(int fd = 2);
  ~Logger();  // flushes everything queued
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // `fields` are pre-rendered JSON members: {"key", "\"value\""} or {"key", "42"}.
  void event(std::string_view level, std::string_view message,
             std::initializer_list<std::pair<std::string, std::string>> fields = {});
  void write_line(std::string line);  // a complete JSON object, no newline
  void flush();

  // Lines waiting for the writer are bounded: when stderr does not keep up (a stalled
  // pipe, a full disk behind journald), new lines are dropped and counted, never
  // blocking the caller (a reactor thread) nor growing without end. The writer then
  // logs how many were lost.
  static constexpr std::size_t kMaxPendingBytes = 8 * 1024 * 1024;
  std::uint64_t dropped_lines() const;

 private:
  void run();

  const int fd_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable flushed_;
  std::string pending_;
  std::uint64_t queued_lines_ = 0;
  std::uint64_t written_lines_ = 0;
  std::uint64_t dropped_lines_ = 0;     // since the start
  std::uint64_t dropped_unlogged_ = 0;  // not yet reported in the log
  bool stopping_ = false;
  std::thread writer_;
};

// Quotes and escapes a value for Logger::event's fields.
inline std::string json_quoted(std::string_view text) { return "\"" + json_escape(text) + "\""; }

}  // namespace pledged
