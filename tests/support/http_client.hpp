#pragma once
// A deliberately small HTTP/1.x client over a loopback socket: tests need to
// control every byte (which Connection header, which version) and to see exactly
// what the server sends back, including whether it closes the connection.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace pledged::testing {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_name) const {
    const auto found = headers.find(lower_name);
    return found == headers.end() ? "" : found->second;
  }
};

class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  void send_raw(const std::string& bytes);
  // nullopt when the server closed the connection (or timed out) before a full reply.
  std::optional<HttpReply> read_reply(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // True when the server closes the connection within `timeout` with nothing more to read.
  bool closed_by_server(std::chrono::milliseconds timeout);

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection (HTTP/1.1, Connection: close).
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& path,
                       const std::map<std::string, std::string>& headers = {}, const std::string& body = "");
inline HttpReply http_get(std::uint16_t port, const std::string& path,
                          const std::map<std::string, std::string>& headers = {}) {
  return http_request(port, "GET", path, headers);
}

}  // namespace pledged::testing
