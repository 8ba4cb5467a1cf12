#pragma once
// Runs the real `pledged` binary as a child process, the way an operator would.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace pledged::testing {

std::string pledged_binary();

// The test fixtures' folder in the source tree (tests/fixtures).
std::string test_fixtures_dir();

// The first sanitizer report (ASan, LSan, UBSan, TSan) in a process's output, from its
// first line on; empty when there is none. Every process the test support starts has
// its output scanned with this, and a report fails the test that started it.
std::string sanitizer_report(const std::string& output);

// The sanitizers' options of the test's own environment (ASAN_OPTIONS, LSAN_OPTIONS,
// UBSAN_OPTIONS, TSAN_OPTIONS) as NAME=VALUE, for the environment of a child process,
// so a sanitizer build of it reads the same suppressions and halts on the first error.
std::vector<std::string> sanitizer_environment();

// How a child ended, for a failure message: "exit 3", "killed by signal 9 (Killed)".
std::string describe_wait_status(int status);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `pledged args...` to completion with extra environment variables. A sanitizer
// report on its stderr fails the calling test, whatever the exit code (an ASan abort
// exits 1, the code many commands use for a refusal). Its stdout and stderr stay in
// PLEDGED_TEST_LOG_DIR as pledged-cmd-<command>-<random>.out/.err, for the log audit.
CommandResult run_pledged(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

class ServiceProcess {
 public:
  // Starts `pledged serve` on 127.0.0.1 with an OS-chosen port, and waits until it
  // logs "listening". `env` is added to a minimal environment.
  explicit ServiceProcess(std::map<std::string, std::string> env, std::vector<std::string> extra_args = {});
  // Stops the service the way an operator does (SIGTERM, unless the test already
  // stopped it) and fails the test unless it exited 0 within its shutdown grace
  // (PLEDGED_SHUTDOWN_GRACE) plus kStopMargin: a hang is SIGKILLed and reported, a
  // crash or a non-zero exit is reported, and so is a sanitizer report in its log.
  // Only a test that called kill_abruptly() expects death by SIGKILL instead.
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // What the service may take beyond its grace to stop: the workers' current Stripe
  // call (PLEDGED_STRIPE_TIMEOUT_MS, 10 s by default) and, in a sanitizer build, the
  // leak check at exit. A bound for a hang, not a timing requirement.
  static constexpr std::chrono::seconds kStopMargin{30};
  // Only for the gate's own test (tests/gate), which plants a hang and need not wait 30 s.
  void set_stop_margin(std::chrono::seconds margin) { stop_margin_ = margin; }

  std::uint16_t port() const { return port_; }
  // The operations listener's port (PLEDGED_METRICS_LISTEN, 127.0.0.1:0 unless the test
  // sets it): the only one serving /metrics.
  std::uint16_t metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  // Sends a signal. Not SIGKILL: a test that kills the service says so with kill_abruptly().
  void signal(int signo) const;
  // SIGKILL, as a test of crash recovery does (no shutdown, no leak check): the stop
  // then expects death by SIGKILL rather than exit 0.
  void kill_abruptly();
  bool running();
  // Waits for the process to exit; returns its exit code (128 + the signal's number
  // when a signal ended it), or -1 on timeout.
  int wait_for_exit(std::chrono::milliseconds timeout);
  // Everything the process wrote to stderr so far (its log).
  std::string log() const;
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
  int exit_code_ = -1;
  int wait_status_ = 0;  // waitpid's status once it ended
  bool killed_by_test_ = false;
  std::chrono::seconds shutdown_grace_{0};
  std::chrono::seconds stop_margin_{kStopMargin};
  std::string log_path_;
};

}  // namespace pledged::testing
