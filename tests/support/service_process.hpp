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

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `pledged args...` to completion with extra environment variables.
CommandResult run_pledged(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

class ServiceProcess {
 public:
  // Starts `pledged serve` on 127.0.0.1 with an OS-chosen port, and waits until it
  // logs "listening". `env` is added to a minimal environment.
  explicit ServiceProcess(std::map<std::string, std::string> env, std::vector<std::string> extra_args = {});
  ~ServiceProcess();  // SIGKILL if still running
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  bool running();
  // Waits for the process to exit; returns its exit code, or -1 on timeout.
  int wait_for_exit(std::chrono::milliseconds timeout);
  // Everything the process wrote to stderr so far (its log).
  std::string log() const;
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  int exit_code_ = -1;
  std::string log_path_;
};

}  // namespace pledged::testing
