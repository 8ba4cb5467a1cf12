#include "service_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "pledged/config/config.hpp"
#include "pledged/core/crypto.hpp"

#ifndef PLEDGED_DEFAULT_BINARY
#error "PLEDGED_DEFAULT_BINARY must name the built pledged executable"
#endif

namespace pledged::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// PLEDGED_TEST_LOG_DIR (scripts/test sets it, and the log audit reads it), or "".
std::string test_log_directory() {
  const char* dir = std::getenv("PLEDGED_TEST_LOG_DIR");
  return dir != nullptr ? dir : "";
}

std::string log_directory() {
  const std::string dir = test_log_directory();
  return dir.empty() ? "/tmp" : dir;
}

// "token-create" for {"token", "create", "--name", ...}: the command's words, for file names.
std::string command_words(const std::vector<std::string>& args) {
  std::string words;
  for (std::size_t i = 0; i < args.size() && i < 2; ++i) {
    const auto& arg = args[i];
    if (arg.empty() || arg.size() > 20 || arg[0] == '-') break;
    bool word = true;
    for (const char c : arg) word = word && (std::islower(static_cast<unsigned char>(c)) != 0 || c == '-');
    if (!word) break;
    words += (words.empty() ? "" : "-") + arg;
  }
  return words.empty() ? "other" : words;
}

std::string tail(const std::string& text, std::size_t length) {
  return text.size() <= length ? text : "..." + text.substr(text.size() - length);
}

// Forks and execs pledged with only the given environment (plus PATH and the
// sanitizers' options, so a sanitizer build of the service reads the same
// suppressions as the tests), its stdout and stderr sent to the given files.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& out_path, const std::string& err_path) {
  std::vector<std::string> storage{pledged_binary()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<std::string> environment{"PATH=/usr/bin:/bin"};
  for (const auto& option : sanitizer_environment()) {
    if (env.count(option.substr(0, option.find('='))) == 0) environment.push_back(option);
  }
  for (const auto& [key, value] : env) environment.push_back(key + "=" + value);

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int null = ::open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    for (auto& arg : storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& item : environment) envp.push_back(item.data());
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

std::string pledged_binary() {
  const char* binary = std::getenv("PLEDGED_BINARY");
  return binary != nullptr && *binary != '\0' ? binary : PLEDGED_DEFAULT_BINARY;
}

std::string test_fixtures_dir() { return PLEDGED_TEST_FIXTURES_DIR; }

std::string sanitizer_report(const std::string& output) {
  std::size_t first = std::string::npos;
  for (const char* finding : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                              "WARNING: ThreadSanitizer", "ThreadSanitizer: reported", "ERROR: ThreadSanitizer"}) {
    first = std::min(first, output.find(finding));
  }
  if (first == std::string::npos) return "";
  const auto line = output.rfind('\n', first);
  return output.substr(line == std::string::npos ? 0 : line + 1, 6000);
}

std::vector<std::string> sanitizer_environment() {
  std::vector<std::string> options;
  for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr) options.push_back(std::string(name) + "=" + value);
  }
  return options;
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")" +
           (WCOREDUMP(status) ? ", core dumped" : "");
  }
  return "wait status " + std::to_string(status);
}

CommandResult run_pledged(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  const std::string base = log_directory() + "/pledged-cmd-" + command_words(args) + "-" + random_base62(8);
  const pid_t pid = spawn(args, env, base + ".out", base + ".err");
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(base + ".out");
  result.err = read_file(base + ".err");
  if (test_log_directory().empty()) {
    std::remove((base + ".out").c_str());
    std::remove((base + ".err").c_str());
  }
  std::string command;
  for (const auto& arg : args) command += " " + arg;
  if (const auto report = sanitizer_report(result.err); !report.empty()) {
    ADD_FAILURE() << "sanitizer report from `pledged" << command << "` (" << describe_wait_status(status)
                  << ", stderr in " << base << ".err):\n" << report;
  } else if (WIFSIGNALED(status)) {
    ADD_FAILURE() << "`pledged" << command << "` was " << describe_wait_status(status) << ":\n" << tail(result.err, 4000);
  }
  return result;
}

ServiceProcess::ServiceProcess(std::map<std::string, std::string> env, std::vector<std::string> extra_args) {
  env.emplace("PLEDGED_LISTEN", "127.0.0.1:0");
  env.emplace("PLEDGED_METRICS_LISTEN", "127.0.0.1:0");  // its default port would collide between services
  // The grace the service will use, read the way it reads it (its default unless the
  // test sets PLEDGED_SHUTDOWN_GRACE); a configuration it refuses fails at start-up below.
  const auto config = load_config([&env](const char* name) -> std::optional<std::string> {
    if (const auto found = env.find(name); found != env.end()) return found->second;
    if (std::string(name) == "PLEDGED_DATABASE_URL") return std::string("postgresql://unused");
    return std::nullopt;
  });
  shutdown_grace_ = config ? config->shutdown_grace : std::chrono::seconds(25);
  log_path_ = log_directory() + "/pledged-serve-" + random_base62(8) + ".log";
  std::vector<std::string> args{"serve"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(args, env, "/dev/null", log_path_);

  const std::regex listening(R"re("msg":"listening".*"port":([0-9]+))re");
  const std::regex metrics_listening(R"re("msg":"metrics listening".*"port":([0-9]+))re");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string text = log();
    if (std::regex_search(text, match, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
      if (std::regex_search(text, match, metrics_listening)) {
        metrics_port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
      }
      return;
    }
    if (!running()) {
      throw std::runtime_error("pledged serve exited during start-up (" + describe_wait_status(wait_status_) +
                               "):\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  throw std::runtime_error("pledged serve did not start listening within 20 s:\n" + log());
}

ServiceProcess::~ServiceProcess() {
  // Stop it the way an operator would, so every test also exercises a clean shutdown
  // and, in sanitizer builds, the leak check at exit; then hold the exit to account.
  if (pid_ <= 0) return;
  const auto bound = shutdown_grace_ + stop_margin_;
  bool hung = false;
  if (running()) {
    if (!killed_by_test_) ::kill(pid_, SIGTERM);  // a second SIGTERM after the test's own is harmless
    if (wait_for_exit(bound) == -1) {
      hung = true;
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &wait_status_, 0);
      exit_code_ = 128 + SIGKILL;
    }
  }
  const std::string text = log();
  if (hung) {
    ADD_FAILURE() << "pledged serve (pid " << pid_ << ") did not exit within " << bound.count()
                  << " s of SIGTERM (shutdown grace " << shutdown_grace_.count() << " s + " << stop_margin_.count()
                  << " s): a hang at shutdown; killed with SIGKILL. The end of its log (" << log_path_ << "):\n"
                  << tail(text, 3000);
  } else if (killed_by_test_) {
    if (!(WIFSIGNALED(wait_status_) && WTERMSIG(wait_status_) == SIGKILL)) {
      ADD_FAILURE() << "pledged serve ended with " << describe_wait_status(wait_status_)
                    << " before the test's SIGKILL reached it. The end of its log (" << log_path_ << "):\n"
                    << tail(text, 3000);
    }
  } else if (!(WIFEXITED(wait_status_) && WEXITSTATUS(wait_status_) == 0)) {
    ADD_FAILURE() << "pledged serve did not stop cleanly: " << describe_wait_status(wait_status_)
                  << ", expected exit 0. The end of its log (" << log_path_ << "):\n" << tail(text, 3000);
  } else if (::testing::Test::HasFailure()) {
    // The service's side of a failed test (its access log says which request got
    // what), for a CI page where the log file itself cannot be read afterwards.
    std::cerr << "The end of the log of pledged serve (" << log_path_ << "), as the test failed:\n"
              << tail(text, 2500) << "\n";
  }
  // A sanitizer's report in the service's own log fails the test that started it.
  if (const auto report = sanitizer_report(text); !report.empty()) {
    ADD_FAILURE() << "sanitizer report in " << log_path_ << ":\n" << report;
  }
}

void ServiceProcess::signal(int signo) const {
  if (signo == SIGKILL) {
    throw std::logic_error("ServiceProcess::signal(SIGKILL): a test that kills the service calls kill_abruptly()");
  }
  ::kill(pid_, signo);
}

void ServiceProcess::kill_abruptly() {
  killed_by_test_ = true;
  ::kill(pid_, SIGKILL);
}

bool ServiceProcess::running() {
  if (exit_code_ != -1) return false;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == 0) return true;
  // done < 0: the child was lost (reaped elsewhere); its exit cannot be vouched for.
  wait_status_ = done < 0 ? -1 : status;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return false;
}

int ServiceProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

std::string ServiceProcess::log() const { return read_file(log_path_); }

}  // namespace pledged::testing
