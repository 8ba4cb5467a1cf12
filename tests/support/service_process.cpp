#include "service_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

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

std::string log_directory() {
  const char* dir = std::getenv("PLEDGED_TEST_LOG_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

// Forks and execs pledged with only the given environment (plus PATH and the
// sanitizers' options, so a sanitizer build of the service reads the same
// suppressions as the tests), its stdout and stderr sent to the given files.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& out_path, const std::string& err_path) {
  std::vector<std::string> storage{pledged_binary()};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<std::string> environment{"PATH=/usr/bin:/bin"};
  for (const char* name : {"ASAN_OPTIONS", "LSAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && env.count(name) == 0) environment.push_back(std::string(name) + "=" + value);
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

CommandResult run_pledged(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  const std::string base = log_directory() + "/pledged-cmd-" + random_base62(8);
  const pid_t pid = spawn(args, env, base + ".out", base + ".err");
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(base + ".out");
  result.err = read_file(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return result;
}

ServiceProcess::ServiceProcess(std::map<std::string, std::string> env, std::vector<std::string> extra_args) {
  env.emplace("PLEDGED_LISTEN", "127.0.0.1:0");
  log_path_ = log_directory() + "/pledged-serve-" + random_base62(8) + ".log";
  std::vector<std::string> args{"serve"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(args, env, "/dev/null", log_path_);

  const std::regex listening(R"re("msg":"listening".*"port":([0-9]+))re");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string text = log();
    if (std::regex_search(text, match, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
      return;
    }
    if (!running()) throw std::runtime_error("pledged serve exited during start-up:\n" + text);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("pledged serve did not start listening within 20 s:\n" + log());
}

ServiceProcess::~ServiceProcess() {
  // Stop it the way an operator would, so every test also exercises a clean shutdown
  // and, in sanitizer builds, the leak check at exit.
  if (pid_ > 0 && running()) {
    ::kill(pid_, SIGTERM);
    if (wait_for_exit(std::chrono::seconds(15)) == -1) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  // A sanitizer's report in the service's own log fails the test that started it.
  const std::string text = log();
  for (const char* finding : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                              "WARNING: ThreadSanitizer"}) {
    if (text.find(finding) != std::string::npos) {
      ADD_FAILURE() << "sanitizer report in " << log_path_ << ":\n" << text.substr(text.find(finding), 4000);
      break;
    }
  }
}

void ServiceProcess::signal(int signo) const { ::kill(pid_, signo); }

bool ServiceProcess::running() {
  if (exit_code_ != -1) return false;
  int status = 0;
  const pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == 0) return true;
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
