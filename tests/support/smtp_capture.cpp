#include "smtp_capture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef PLEDGED_SMTP_CAPTURE_SCRIPT
#error "PLEDGED_SMTP_CAPTURE_SCRIPT must name tools/smtp-capture/smtp_capture.py"
#endif

namespace pledged::testing {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

SmtpCapture::SmtpCapture(std::uint16_t port) {
  char folder[] = "/tmp/pledged-smtp-capture-XXXXXX";
  if (mkdtemp(folder) == nullptr) throw std::runtime_error("mkdtemp failed");
  folder_ = folder;
  const std::string mail = folder_ + "/mail";
  const std::string out = folder_ + "/capture.out";
  std::string script = PLEDGED_SMTP_CAPTURE_SCRIPT;
  std::string listen = "127.0.0.1:" + std::to_string(port);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    execlp("python3", "python3", script.c_str(), "--dir", mail.c_str(), "--listen", listen.c_str(), nullptr);
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = slurp(out);
    const auto at = text.find("listening ");
    if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
      port_ = static_cast<std::uint16_t>(std::stoi(text.substr(at + 10)));
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the SMTP capture did not start: " + slurp(out));
}

SmtpCapture::~SmtpCapture() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

std::vector<nlohmann::json> SmtpCapture::messages() const {
  std::vector<std::string> names;
  std::error_code missing;
  for (const auto& entry : std::filesystem::directory_iterator(folder_ + "/mail", missing)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<nlohmann::json> all;
  for (const auto& name : names) all.push_back(nlohmann::json::parse(slurp(name)));
  return all;
}

std::vector<nlohmann::json> SmtpCapture::wait_for(std::size_t count, std::chrono::seconds within) const {
  const auto deadline = std::chrono::steady_clock::now() + within;
  auto all = messages();
  while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    all = messages();
  }
  return all;
}

}  // namespace pledged::testing
