#include "pledged/http/service_handler.hpp"

#include <pistache/peer.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <sstream>
#include <stdexcept>

#include "pledged/core/crypto.hpp"
#include "pledged/http/route_table.hpp"

namespace pledged {

using namespace Pistache;

namespace {

constexpr std::size_t kMaxClientRequestIdLength = 128;

bool is_plain_request_id(const std::string& id) {
  return !id.empty() && id.size() <= kMaxClientRequestIdLength && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
  });
}

// Unique without a trip to the random generator per request: a random prefix per
// thread and a counter.
std::string new_request_id() {
  thread_local const std::string prefix = "req_" + random_base62(12);
  thread_local std::uint64_t counter = 0;
  return prefix + std::to_string(++counter);
}

}  // namespace

std::size_t request_header_bytes(const Http::Request& request) {
  std::size_t total = 0;
  for (const auto& [name, raw] : request.headers().rawList()) total += name.size() + raw.value().size() + 4;
  if (total > kMaxHeaderBytes) return total;
  std::ostringstream typed;
  for (const auto& header : request.headers().list()) {
    typed << header->name() << ": ";
    header->write(typed);
    typed << "\r\n";
  }
  return total + static_cast<std::size_t>(typed.tellp());
}

void apply_default_keep_alive(const Http::Request& request, Http::ResponseWriter& response) {
  if (request.version() != Http::Version::Http11) return;
  if (request.headers().has<Http::Header::Connection>()) return;
  response.headers().remove<Http::Header::Connection>();
  response.headers().add<Http::Header::Connection>(Http::ConnectionControl::KeepAlive);
}

std::string request_id_for(const Http::Request& request) {
  if (const auto sent = request.headers().tryGetRaw("X-Request-Id")) {
    if (is_plain_request_id(sent->value())) return sent->value();
  }
  return new_request_id();
}

namespace {

// Set on a peer once its connection is refused: every later byte is discarded.
constexpr const char* kRefusedData = "pledged.refused";

Error refusal_for(const Pistache::Http::HttpError& error) {
  if (error.code() == static_cast<int>(Http::Code::Request_Entity_Too_Large)) {
    return make_error(ErrorCode::payload_too_large, "the request is larger than the service accepts");
  }
  if (error.code() == static_cast<int>(Http::Code::Request_Header_Fields_Too_Large)) {
    return make_error(ErrorCode::header_too_large, "request headers are too large");
  }
  return make_error(ErrorCode::bad_request, "malformed HTTP request");
}

Error declared_too_large() {
  return make_error(ErrorCode::payload_too_large, "the declared body is larger than the service accepts");
}

}  // namespace

void ServiceHandler::refuse(const std::shared_ptr<Tcp::Peer>& peer, const Error& error) {
  const auto parser = getParser(peer);
  const auto version = parser->request.version();
  parser->reset();  // frees what was buffered
  peer->putData(kRefusedData, std::make_shared<bool>(true));
  auto& state = current_routing_state();
  state.started = std::chrono::steady_clock::now();
  state.request_id = new_request_id();
  state.on_reactor = true;
  state.transport = transport();
  Exchange(Http::ResponseWriter(version, transport(), this, peer),
           RequestInfo{state.request_id, "UNPARSED", "unmatched", state.started}, *context_)
      .refuse_and_close(error);
  state.on_reactor = false;
}

void ServiceHandler::onDisconnection(const std::shared_ptr<Tcp::Peer>& peer) {
  peers_.hung_up(peer);
  peers_.release_unused();
}

void ServiceHandler::onInput(const char* buffer, size_t len, const std::shared_ptr<Tcp::Peer>& peer) {
  peers_.release_unused();
  peers_.keep(peer);
  if (peer->tryGetData(kRefusedData)) return;
  const auto parser = getParser(peer);
  auto& request = parser->request;
  try {
    if (!parser->feed(buffer, len)) {
      return refuse(peer, make_error(ErrorCode::payload_too_large, "the request is larger than the service accepts"));
    }
    if (parser->parse() != Http::Private::State::Done) return;
    Http::ResponseWriter response(request.version(), transport(), this, peer);
    request.copyAddress(peer->address());
    // As Pistache does: the response's Connection starts as the request's, Close when
    // it sent none (apply_default_keep_alive then corrects HTTP/1.1).
    const auto connection = request.headers().tryGet<Http::Header::Connection>();
    response.headers().add<Http::Header::Connection>(connection ? connection->control()
                                                                : Http::ConnectionControl::Close);
    peer->setIdle(false);
    onRequest(request, std::move(response));
    parser->reset();
  } catch (const Http::HttpError& error) {
    refuse(peer, refusal_for(error));
  } catch (const std::bad_alloc&) {
    refuse(peer, declared_too_large());  // Pistache reserves the declared Content-Length
  } catch (const std::length_error&) {
    refuse(peer, declared_too_large());
  } catch (const std::out_of_range&) {
    refuse(peer, declared_too_large());  // a Content-Length past 64 bits (stoull)
  } catch (const std::exception&) {
    refuse(peer, make_error(ErrorCode::bad_request, "malformed HTTP request"));
  }
}

void ServiceHandler::onRequest(const Http::Request& request, Http::ResponseWriter response) {
  auto& state = current_routing_state();
  state.started = std::chrono::steady_clock::now();
  state.request_id = request_id_for(request);
  state.on_reactor = true;
  state.transport = transport();
  apply_default_keep_alive(request, response);
  if (request_header_bytes(request) > kMaxHeaderBytes) {
    Exchange(std::move(response),
             RequestInfo{state.request_id, method_name(request.method()), "unmatched", state.started}, *context_)
        .send(error_response(make_error(ErrorCode::header_too_large, "request headers are too large")));
  } else {
    routes_->dispatch(request, std::move(response), *context_);
  }
  state.on_reactor = false;
}

}  // namespace pledged
