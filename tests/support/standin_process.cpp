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

#include "http_client.hpp"
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
  std::vector<std::string> environment{"PATH=/usr/bin:/bin"};
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
  throw std::runtime_error("stripe-standin did not start:\n" + slurp(log_path_));
}

StandinProcess::~StandinProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
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
