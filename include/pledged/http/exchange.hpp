#pragma once
// One request's answer channel. It owns Pistache's ResponseWriter, so it can travel
// to a worker thread and answer from there. Sending stamps the common headers,
// records metrics and writes the access-log line. If the last owner lets go without
// having sent anything (an exception, a forgotten branch), the client still gets the
// API's 500 error shape, never a hang and never an exception's text.
#include <pistache/http.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "pledged/http/response.hpp"
#include "pledged/http/server_context.hpp"
#include "pledged/http/wire_head.hpp"

namespace pledged {

struct RequestInfo {
  std::string request_id;
  std::string method;
  std::string route;  // the route's pattern, e.g. /v1/campaigns/:slug/progress
  std::chrono::steady_clock::time_point started;
};

class Exchange {
 public:
  Exchange(Pistache::Http::ResponseWriter writer, RequestInfo info, ServerContext& context);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  void send(const HttpResponse& response);
  // For errors: logs an internal error's real cause next to the request id.
  void send_error(const Error& error);
  // For a request refused before its body was read (413, a malformed request): the
  // error with Connection: close, then the socket half-closed once the bytes are out,
  // so the client sees the end; the caller reads nothing more from it as a request.
  // Call it on the connection's reactor thread.
  void refuse_and_close(const Error& error);

  // Sends `head`'s status and headers, then a chunked body: `produce` hands each
  // piece to the writer, which returns false once the client is gone. The writer
  // blocks while the socket is full, so memory stays at one piece however large the
  // body. If `produce` fails after the head went out, the connection is cut: the
  // client sees a truncated body, never a complete one. Call it from a worker.
  using ChunkWriter = std::function<bool(std::string_view)>;
  void stream(const HttpResponse& head, const std::function<Status(const ChunkWriter&)>& produce);

  const RequestInfo& info() const { return info_; }
  ServerContext& context() { return context_; }

 private:
  // Whether the connection ends after this answer (the client asked, HTTP/1.0, draining).
  bool closes_after() const;
  // Every answer's headers: the request id, nosniff, the type, the route's own, no-store on errors, Connection.
  HeaderLines answer_headers(const HttpResponse& response, bool close) const;
  // Puts an answer's bytes on the wire, then shuts the socket down `shutdown_how` (SHUT_WR, SHUT_RDWR) or not (-1).
  void deliver(std::string wire, int shutdown_how);
  void deliver_from_worker(std::string wire);
  void record(int status);

  Pistache::Http::ResponseWriter writer_;
  Pistache::Tcp::Transport* transport_;  // the connection's reactor's, for answers made on a worker
  RequestInfo info_;
  ServerContext& context_;
  bool sent_ = false;
  bool counted_in_flight_ = false;
};

using ExchangePtr = std::shared_ptr<Exchange>;

}  // namespace pledged
