// libFuzzer target: raw bytes from a client through Pistache's HTTP request parser,
// sized as the service configures it, then what ServiceHandler and RouteTable do with
// a parsed request: the header size check, the request id, the route lookup and the
// header lookups of our handlers. No network. The parser is fed the way a connection
// feeds it (one feed and parse per read), once whole and once in two reads, and both
// must give the same answer: a read boundary must not change what a request means.
//
// Pistache itself is a prebuilt Debian library: its own code is neither instrumented
// for coverage nor checked by ASan inside; its inline header code and ours are.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <pistache/http.h>

#include "pledged/http/http_server.hpp"
#include "pledged/http/route_table.hpp"
#include "pledged/http/service_handler.hpp"
#include "property.hpp"

namespace {

using pledged::fuzz::require;

using namespace Pistache;
using Http::Method;

// The routes of API.md (as src/app/service.cpp adds them), with handlers that are
// never run here: only where a request would go is under test.
const std::vector<std::pair<Method, std::string>>& service_routes() {
  static const std::vector<std::pair<Method, std::string>> routes{
      {Method::Get, "/healthz"},
      {Method::Get, "/readyz"},
      {Method::Get, "/v1/campaigns/:slug/progress"},
      {Method::Options, "/v1/campaigns/:slug/progress"},
      {Method::Get, "/embed/:slug.js"},
      {Method::Get, "/embed/:slug"},
      {Method::Get, "/donate/:slug"},
      {Method::Get, "/donate/:slug/thanks"},
      {Method::Get, "/staff"},
      {Method::Get, "/static/:name"},
      {Method::Post, "/v1/pledges"},
      {Method::Post, "/v1/webhooks/stripe"},
      {Method::Get, "/v1/reports/campaigns/:slug"},
      {Method::Get, "/v1/reports/campaigns/:slug/gifts.csv"},
      {Method::Get, "/v1/reports/campaigns/:slug/donors.csv"},
      {Method::Get, "/v1/reports/webhooks/health"},
      {Method::Post, "/v1/admin/campaigns"},
      {Method::Patch, "/v1/admin/campaigns/:slug"},
      {Method::Post, "/v1/admin/campaigns/:slug/offline-gifts"},
      {Method::Post, "/v1/admin/pledges/:id/refund"},
      {Method::Get, "/v1/admin/audit"},
      {Method::Get, "/donor"},
      {Method::Get, "/donor/:token"},
      {Method::Get, "/donor/account"},
      {Method::Post, "/v1/donor/links"},
      {Method::Post, "/v1/donor/portal"},
      {Method::Post, "/v1/donor/receipts"},
      {Method::Post, "/v1/donor/sign-out"},
      {Method::Get, "/v1/donor/statements/:year.pdf"},
  };
  return routes;
}

const pledged::RouteTable& route_table() {
  static const pledged::RouteTable table = [] {
    pledged::RouteTable routes;
    for (const auto& [method, pattern] : service_routes()) {
      routes.add(method, pattern, [](const pledged::RouteRequest&, pledged::ExchangePtr) {});
    }
    return routes;
  }();
  return table;
}

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (true) {
    const auto slash = path.find('/', start);
    parts.emplace_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

// An independent reading of a pattern: the parameters if `path` matches, with the
// pattern's rank (literal 2, ":name.ext" 1, ":name" 0 per segment).
std::optional<std::pair<int, std::vector<std::string>>> reference_match(const std::string& pattern,
                                                                       const std::string& path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  const auto want = segments(pattern);
  const auto got = segments(path);
  if (want.size() != got.size()) return std::nullopt;
  int rank = 0;
  std::vector<std::string> values;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].front() != ':') {
      if (want[i] != got[i]) return std::nullopt;
      rank += 2;
      continue;
    }
    const auto dot = want[i].find('.');
    const std::string suffix = dot == std::string::npos ? "" : want[i].substr(dot);
    if (got[i].size() <= suffix.size() || got[i].compare(got[i].size() - suffix.size(), suffix.size(), suffix) != 0) {
      return std::nullopt;
    }
    rank += suffix.empty() ? 0 : 1;
    values.push_back(got[i].substr(0, got[i].size() - suffix.size()));
  }
  return std::make_pair(rank, values);
}

void check_route(Method method, const std::string& path) {
  const auto found = route_table().find(method, path);
  // The best rank among the patterns that match, by the independent reading.
  int best = -1;
  for (const auto& [route_method, pattern] : service_routes()) {
    if (const auto m = reference_match(pattern, path)) best = std::max(best, m->first);
  }
  if (found.pattern == nullptr) {
    require(best < 0);  // 404 only when no pattern matches
    return;
  }
  const auto reference = reference_match(*found.pattern, path);
  require(reference && reference->first == best);
  require(found.params.size() == reference->second.size());
  for (std::size_t i = 0; i < found.params.size(); ++i) {
    require(found.params[i].second == reference->second[i] && !found.params[i].second.empty());
    require(found.params[i].second.find('/') == std::string::npos);
  }
  bool method_routed = false;
  for (const auto& [route_method, pattern] : service_routes()) {
    method_routed = method_routed || (pattern == *found.pattern && route_method == method);
  }
  require((found.handler != nullptr) == method_routed);  // else 405, with Allow
  require(found.allow != nullptr &&
          (found.allow->find(pledged::method_name(method)) != std::string::npos) == method_routed);
}

// What a connection does with its bytes: one feed and one parse per read.
struct Outcome {
  enum Kind { incomplete, request, http_error, other_error, too_large } kind = incomplete;
  int code = 0;
  Http::Method method = Method::Get;
  Http::Version version = Http::Version::Http11;
  std::string resource;
  std::string body;
  std::vector<std::pair<std::string, std::string>> raw_headers;
};

Outcome parse_reads(const std::vector<std::string_view>& reads, Http::RequestParser& parser) {
  Outcome outcome;
  for (const auto read : reads) {
    try {
      if (!parser.feed(read.data(), read.size())) {
        outcome.kind = Outcome::too_large;  // Pistache answers 413
        return outcome;
      }
      if (parser.parse() != Http::Private::State::Done) continue;
    } catch (const Http::HttpError& e) {
      outcome.kind = Outcome::http_error;
      outcome.code = e.code();
      return outcome;
    } catch (const std::exception&) {
      outcome.kind = Outcome::other_error;  // Pistache answers 500
      return outcome;
    }  // Anything else would escape Pistache's handler too: not caught here, so it fails the run.
    const auto& request = parser.request;
    outcome.kind = Outcome::request;
    outcome.method = request.method();
    outcome.version = request.version();
    outcome.resource = request.resource();
    outcome.body = request.body();
    for (const auto& [name, raw] : request.headers().rawList()) outcome.raw_headers.emplace_back(name, raw.value());
    return outcome;
  }
  return outcome;
}

bool same(const Outcome& a, const Outcome& b) {
  return a.kind == b.kind && a.code == b.code && a.method == b.method && a.version == b.version &&
         a.resource == b.resource && a.body == b.body && a.raw_headers == b.raw_headers;
}

void check_request(const Http::Request& request) {
  require(request.body().size() <= pledged::kMaxRequestBytes);
  // Pistache lets control bytes (CR, say) through in the path, so nothing of ours may
  // put a path or a parameter into a header or a log line unchecked; a space or a '?'
  // never gets in.
  const auto& resource = request.resource();
  require(resource.find_first_of(" ?") == std::string::npos);

  // ServiceHandler: the header size check and the request id that goes into logs.
  const auto header_size = pledged::request_header_bytes(request);
  std::size_t raw_size = 0;
  for (const auto& [name, raw] : request.headers().rawList()) raw_size += name.size() + raw.value().size() + 4;
  require(header_size >= raw_size);
  const auto id = pledged::request_id_for(request);
  require(!id.empty() && id.size() <= 128);
  for (const char c : id) {
    require((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == ':');
  }
  if (header_size > pledged::kMaxHeaderBytes) return;  // answered 431 before routing

  check_route(request.method(), resource);
  // The header lookups our handlers make, on the request as parsed.
  const pledged::RouteRequest routed(request, {});
  for (const char* name : {"Origin", "Idempotency-Key", "If-None-Match", "Stripe-Signature", "Authorization",
                           "Content-Type", "X-Request-Id"}) {
    const auto value = routed.header(name);
    if (value) require(request.headers().tryGetRaw(name).has_value());
  }
  (void)request.headers().tryGet<Http::Header::ContentType>();
  (void)request.headers().tryGet<Http::Header::Connection>();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The size limit itself: one byte over kMaxRequestBytes is refused (413) at feed.
  Http::RequestParser parser(pledged::kMaxRequestBytes);
  const std::string filler(pledged::kMaxRequestBytes, 'a');
  require(parser.feed(filler.data(), filler.size()));
  require(!parser.feed("a", 1));
  (void)route_table();
  return 0;
}

// Whether a Content-Length header in the bytes declares more than the service takes.
// Pistache 0.0.5 reserves the declared length for the body before reading it (ASan
// saw std::string::reserve(10^16) from its body step): in the service a length past
// what the allocator gives throws std::bad_alloc, which Pistache answers with 500,
// and anything smaller is only reserved, while the body itself stays bounded by
// kMaxRequestBytes. Under libFuzzer that reservation is a fatal report, so these
// inputs are left out; see docs/security.md. Pistache reads the leading digits.
bool declares_oversized_body(std::string_view input) {
  static constexpr std::string_view kName = "content-length:";
  for (std::size_t at = 0; at + kName.size() <= input.size(); ++at) {
    bool name_matches = true;
    for (std::size_t i = 0; i < kName.size() && name_matches; ++i) {
      name_matches = std::tolower(static_cast<unsigned char>(input[at + i])) == kName[i];
    }
    if (!name_matches) continue;
    std::size_t pos = at + kName.size();
    while (pos < input.size() && (input[pos] == ' ' || input[pos] == '\t')) ++pos;
    std::uint64_t value = 0;
    for (; pos < input.size() && std::isdigit(static_cast<unsigned char>(input[pos])) != 0; ++pos) {
      value = value * 10 + static_cast<std::uint64_t>(input[pos] - '0');
      if (value > pledged::kMaxRequestBytes) return true;
    }
  }
  return false;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Known Pistache 0.0.5 bug, left out so the short mode stays deterministic: when a
  // read ends in CR, StreamCursor::eol() peeks one byte past the received data (a
  // 1-byte heap over-read; valgrind shows it, ASan only when the block ends a page).
  // Neither read may end in CR here; see docs/security.md.
  if (!input.empty() && input.back() == '\r') return 0;
  if (declares_oversized_body(input)) return 0;

  Http::RequestParser whole_parser(pledged::kMaxRequestBytes);
  const auto whole = parse_reads({input}, whole_parser);
  if (whole.kind == Outcome::request) check_request(whole_parser.request);

  // The same bytes in two reads, split where the input's length says.
  if (size >= 2) {
    std::size_t split = 1 + (size * 7919) % (size - 1);
    while (split < size && input[split - 1] == '\r') ++split;
    if (split == size) return 0;
    Http::RequestParser split_parser(pledged::kMaxRequestBytes);
    const auto in_two = parse_reads({input.substr(0, split), input.substr(split)}, split_parser);
    require(same(whole, in_two));
  }
  return 0;
}
