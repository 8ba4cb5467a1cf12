#include "standin_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http_client.hpp"
#include "service_process.hpp"
#include "pledged/core/crypto.hpp"

#ifndef PLEDGED_DEFAULT_STANDIN_BINARY
#error "PLEDGED_DEFAULT_STANDIN_BINARY must name the built stripe-standin executable"
#endif

namespace pledged::testing {
namespace {

std::string standin_binary() {
  const char* binary = std::getenv("PLEDGED_STANDIN_BINARY");
  return binary != nullptr && *binary != '\0' ? binary : PLEDGED_DEFAULT_STANDIN_BINARY;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

StandinProcess::StandinProcess(std::map<std::string, std::string> env) {
  env.emplace("STANDIN_LISTEN", "127.0.0.1:0");
  env.emplace("STANDIN_API_KEY", kStandinKey);
  const char* log_dir = std::getenv("PLEDGED_TEST_LOG_DIR");
  log_path_ = std::string(log_dir != nullptr && *log_dir != '\0' ? log_dir : "/tmp") + "/stripe-standin-" +
              random_base62(8) + ".log";
  // The sanitizers' options too, as for pledged: a sanitizer build of the stand-in
  // reads the same suppressions and halts on its first report.
  std::vector<std::string> environment{"PATH=/usr/bin:/bin"};
  for (const auto& option : sanitizer_environment()) {
    if (env.count(option.substr(0, option.find('='))) == 0) environment.push_back(option);
  }
  for (const auto& [key, value] : env) environment.push_back(key + "=" + value);
  std::string binary = standin_binary();

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int err = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(err, 1);
    dup2(err, 2);
    std::vector<char*> envp;
    for (auto& item : environment) envp.push_back(item.data());
    envp.push_back(nullptr);
    char* argv[] = {binary.data(), nullptr};
    execve(argv[0], argv, envp.data());
    _exit(127);
  }
  const std::regex listening(R"re("msg":"listening".*"port":([0-9]+))re");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    const std::string text = slurp(log_path_);
    if (std::regex_search(text, match, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  throw std::runtime_error("stripe-standin did not start:\n" + slurp(log_path_));
}

StandinProcess::~StandinProcess() {
  if (pid_ <= 0) return;
  // Did it end on its own before the stop (a crash, a sanitizer halting it)?
  int status = 0;
  const pid_t early = waitpid(pid_, &status, WNOHANG);
  bool hung = false;
  if (early == 0) {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + kStopBound;
    pid_t done = 0;
    while ((done = waitpid(pid_, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (done == 0) {
      hung = true;
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
  }
  const std::string text = slurp(log_path_);
  const bool clean = (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM && early == 0) ||
                     (WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (hung) {
    ADD_FAILURE() << "stripe-standin did not stop within " << kStopBound.count()
                  << " s of SIGTERM; killed with SIGKILL. Its log: " << log_path_;
  } else if (early != 0) {
    ADD_FAILURE() << "stripe-standin ended before the test stopped it: " << describe_wait_status(status)
                  << ". The end of its log (" << log_path_ << "):\n" << text.substr(text.size() > 3000 ? text.size() - 3000 : 0);
  } else if (!clean) {
    ADD_FAILURE() << "stripe-standin did not stop cleanly on SIGTERM: " << describe_wait_status(status)
                  << ". The end of its log (" << log_path_ << "):\n" << text.substr(text.size() > 3000 ? text.size() - 3000 : 0);
  }
  if (const auto report = sanitizer_report(text); !report.empty()) {
    ADD_FAILURE() << "sanitizer report in the stand-in's log " << log_path_ << ":\n" << report;
  }
}

nlohmann::json StandinProcess::requests() const {
  return nlohmann::json::parse(http_get(port_, "/_standin/requests").body);
}

nlohmann::json StandinProcess::session_creations() const {
  auto all = requests();
  nlohmann::json creations = nlohmann::json::array();
  for (const auto& request : all) {
    if (request["method"] == "POST" && request["path"] == "/v1/checkout/sessions") creations.push_back(request);
  }
  return creations;
}

void StandinProcess::configure(const nlohmann::json& faults) const {
  const auto reply = http_request(port_, "POST", "/_standin/faults", {{"Content-Type", "application/json"}}, faults.dump());
  if (reply.status != 200) throw std::runtime_error("stand-in refused its configuration: " + reply.body);
}

nlohmann::json StandinProcess::events() const {
  return nlohmann::json::parse(http_get(port_, "/_standin/events").body);
}

std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace pledged::testing
