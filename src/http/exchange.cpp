#include "pledged/http/exchange.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <pistache/peer.h>

#include "pledged/core/time.hpp"
#include "pledged/http/named_header.hpp"
#include "pledged/http/route_table.hpp"

namespace pledged {

namespace {

// A client that takes nothing for this long is gone; its stream is abandoned.
constexpr std::chrono::seconds kStalledClientTimeout{30};

void set_header(Pistache::Http::Header::Collection& headers, std::string name, std::string value) {
  headers.add(std::make_shared<NamedHeader>(std::move(name), std::move(value)));
}

// Pistache 0.0.5 writes "Connection: Close" but leaves the socket open. When the
// response says Close (the client asked, HTTP/1.0, or we are draining), half-close
// it once the bytes are out; the reactor then sees the end and frees the peer.
bool wants_close(const Pistache::Http::Header::Collection& headers) {
  const auto connection = headers.tryGet<Pistache::Http::Header::Connection>();
  return connection && connection->control() == Pistache::Http::ConnectionControl::Close;
}

// Writes all of `bytes` to the non-blocking socket, waiting while it is full.
// False when the client is gone or takes nothing for kStalledClientTimeout.
bool write_fully(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto written = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(written));
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd ready{fd, POLLOUT, 0};
      const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kStalledClientTimeout).count();
      if (::poll(&ready, 1, static_cast<int>(timeout)) <= 0) return false;
      if ((ready.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

// Our own descriptor for a connection's socket. Pistache closes its descriptor when
// the client hangs up, and the number is soon reused by another connection; a
// shutdown() or write() through a saved number could then hit a stranger. A dup()
// stays bound to this socket until we close it.
class OwnSocket {
 public:
  static std::shared_ptr<OwnSocket> of(const Pistache::Http::ResponseWriter& writer) {
    try {
      const int fd = ::dup(writer.peer()->fd());
      return fd < 0 ? nullptr : std::make_shared<OwnSocket>(fd);
    } catch (const std::exception&) {
      return nullptr;
    }
  }
  explicit OwnSocket(int fd) : fd_(fd) {}
  ~OwnSocket() { ::close(fd_); }
  OwnSocket(const OwnSocket&) = delete;
  OwnSocket& operator=(const OwnSocket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Exchange::Exchange(Pistache::Http::ResponseWriter writer, RequestInfo info, ServerContext& context)
    : writer_(std::move(writer)), info_(std::move(info)), context_(context) {
  if (!context_.draining.load(std::memory_order_relaxed)) {
    counted_in_flight_ = true;
    context_.in_flight.fetch_add(1, std::memory_order_relaxed);
  }
}

Exchange::~Exchange() {
  if (!sent_) {
    try {
      send_error(make_error(ErrorCode::internal, "handler finished without answering"));
    } catch (...) {
      // The peer may be gone; nothing else can be done from a destructor.
    }
  }
  if (counted_in_flight_) context_.in_flight.fetch_sub(1, std::memory_order_release);
}

void Exchange::send_error(const Error& error) {
  if (error.code == ErrorCode::internal || error.code == ErrorCode::unavailable) {
    context_.log.event(error.code == ErrorCode::internal ? "error" : "warn", error.message,
                       {{"request_id", json_quoted(info_.request_id)}, {"route", json_quoted(info_.route)}});
  }
  send(error_response(error));
}

void Exchange::refuse_and_close(const Error& error) {
  if (sent_) return;
  sent_ = true;
  const auto response = error_response(error);
  stamp_headers(response);
  writer_.headers().remove<Pistache::Http::Header::Connection>();
  writer_.headers().add<Pistache::Http::Header::Connection>(Pistache::Http::ConnectionControl::Close);
  const auto code = static_cast<Pistache::Http::Code>(response.status);
  // SHUT_WR, not SHUT_RDWR: the client may still be sending the body; a full close
  // would answer its next bytes with a reset, which can destroy the 413 unread in
  // its receive buffer. What it still sends is discarded (ServiceHandler::onInput).
  if (auto socket = OwnSocket::of(writer_)) {
    writer_.send(code, response.body)
        .then([socket](ssize_t) { ::shutdown(socket->fd(), SHUT_WR); }, Pistache::Async::IgnoreException);
  } else {
    writer_.send(code, response.body);
  }
  record(response.status);
}

void Exchange::send_and_maybe_close(const HttpResponse& response) {
  const auto code = static_cast<Pistache::Http::Code>(response.status);
  // Only on the connection's own reactor thread: Pistache 0.0.5's promises are not
  // safe to chain from another thread while the reactor resolves them (TSan shows the
  // race). A worker's "Connection: close" answer relies on the client honouring the
  // header; draining closes every connection at shutdown anyway.
  if (!wants_close(writer_.headers()) || !current_routing_state().on_reactor) {
    writer_.send(code, response.body);
    return;
  }
  auto socket = OwnSocket::of(writer_);
  if (!socket) return;  // the client is already gone
  writer_.send(code, response.body)
      .then([socket](ssize_t) { ::shutdown(socket->fd(), SHUT_RDWR); }, Pistache::Async::IgnoreException);
}

void Exchange::stamp_headers(const HttpResponse& response) {
  auto& headers = writer_.headers();
  set_header(headers, "X-Request-Id", info_.request_id);
  set_header(headers, "X-Content-Type-Options", "nosniff");
  if (!response.content_type.empty()) set_header(headers, "Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) set_header(headers, name, value);
  // An error is never stored by a cache (API.md): a cached 404 under the banner's key
  // answered every donor 404 until it expired (issue 14, finding 2).
  if (response.status >= 400) set_header(headers, "Cache-Control", "no-store");
  if (context_.draining.load(std::memory_order_relaxed)) {
    headers.remove<Pistache::Http::Header::Connection>();
    headers.add<Pistache::Http::Header::Connection>(Pistache::Http::ConnectionControl::Close);
  }
}

void Exchange::record(int status) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - info_.started).count();
  context_.metrics.observe_request(info_.route, info_.method, status, seconds);
  if (context_.access_log) {
    context_.log.write_line("{\"ts\":\"" + format_rfc3339(now_utc()) +
                            "\",\"level\":\"info\",\"msg\":\"request\",\"request_id\":\"" + info_.request_id +
                            "\",\"method\":\"" + info_.method + "\",\"route\":\"" + json_escape(info_.route) +
                            "\",\"status\":" + std::to_string(status) +
                            ",\"duration_ms\":" + std::to_string(seconds * 1000.0) + "}");
  }
}

void Exchange::send(const HttpResponse& response) {
  if (sent_) return;
  sent_ = true;
  stamp_headers(response);
  send_and_maybe_close(response);
  record(response.status);
}

void Exchange::stream(const HttpResponse& head, const std::function<Status(const ChunkWriter&)>& produce) {
  if (sent_) return;
  sent_ = true;
  const auto socket = OwnSocket::of(writer_);
  if (!socket) return;  // the client is already gone
  // Pistache's idle-peer check answers 408 on a connection whose request is older
  // than the header timeout and whose answer did not go through its send(), which
  // marks the peer idle. Marking it here gives a stream the keep-alive timeout (75 s)
  // instead of 10 s: 100,000 rows take about a second.
  try {
    writer_.peer()->setIdle(true);
  } catch (const std::exception&) {
    return;  // the client is already gone
  }
  // Pistache 0.0.5's ResponseStream flushes its transport from the calling thread,
  // which races with the reactor (it aborts with "could not find write data"). The
  // reactor only reads this connection while its request is being answered, so the
  // worker writes the chunked answer to the socket itself, waiting when it is full:
  // real backpressure, a few KiB of memory whatever the size of the export.
  const int fd = socket->fd();
  const bool close_after = wants_close(writer_.headers()) || context_.draining.load(std::memory_order_relaxed);
  std::string head_bytes = "HTTP/1.1 " + std::to_string(head.status) + " " +
                           Pistache::Http::codeString(static_cast<Pistache::Http::Code>(head.status)) + "\r\n";
  const auto add = [&](const std::string& name, const std::string& value) {
    head_bytes += name + ": " + value + "\r\n";
  };
  add("X-Request-Id", info_.request_id);
  add("X-Content-Type-Options", "nosniff");
  if (!head.content_type.empty()) add("Content-Type", head.content_type);
  for (const auto& [name, value] : head.headers) add(name, value);
  add("Transfer-Encoding", "chunked");
  if (close_after) add("Connection", "close");
  head_bytes += "\r\n";

  bool open = write_fully(fd, head_bytes);
  const ChunkWriter write = [&](std::string_view piece) {
    if (!open || piece.empty()) return open;
    char size[32];
    const int length = std::snprintf(size, sizeof(size), "%zx\r\n", piece.size());
    open = write_fully(fd, std::string_view(size, static_cast<std::size_t>(length))) && write_fully(fd, piece) &&
           write_fully(fd, "\r\n");
    return open;
  };
  const auto produced = open ? produce(write) : Status::success();
  if (!produced) {
    context_.log.event("error", "streamed answer failed: " + produced.error().message,
                       {{"request_id", json_quoted(info_.request_id)}, {"route", json_quoted(info_.route)}});
  }
  // A failed export must never look complete: no last chunk, and the connection is cut.
  if (!produced || !open || !write_fully(fd, "0\r\n\r\n") || close_after) ::shutdown(fd, SHUT_RDWR);
  record(head.status);
}

}  // namespace pledged
