#pragma once
// A deliberately small HTTP/1.1 server for the Stripe stand-in: one thread per
// connection, so injected latency (sleeping in a handler) delays only that caller,
// exactly as a slow Stripe would. Test/demo tool only, not production code.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace standin {

struct Request {
  std::string method;
  std::string path;   // without the query
  std::string query;  // after '?', still encoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_name) const {
    const auto found = headers.find(lower_name);
    return found == headers.end() ? "" : found->second;
  }
};

// What the server does with the connection instead of answering: fault injection
// for tests of the caller's timeouts (hang: read on, never answer, until the caller
// gives up; reset: close at once with a TCP RST).
enum class ConnectionFault { none, hang, reset };

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  ConnectionFault fault = ConnectionFault::none;
};

using Handler = std::function<Response(const Request&)>;

class TinyHttpServer {
 public:
  // Binds at once (port 0: the OS picks one, see port()).
  TinyHttpServer(const std::string& host, std::uint16_t port, Handler handler);
  std::uint16_t port() const { return port_; }
  // Accepts connections until the process ends.
  [[noreturn]] void run();

 private:
  void serve_connection(int fd) const;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  Handler handler_;
};

}  // namespace standin
