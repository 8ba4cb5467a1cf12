#pragma once
// Which peers may tell us a client's address. Behind nginx every connection comes
// from the proxy, so per-client limits would lump all donors into one bucket;
// believing X-Forwarded-For from anyone would let a client pick its own bucket.
// So the header is read only when the TCP peer is a proxy the operator listed
// (PLEDGED_TRUSTED_PROXIES), and only as far as the chain of trusted hops goes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pledged/core/result.hpp"

namespace pledged {

// An IPv4 or IPv6 address as 16 bytes (IPv4 as ::ffff:a.b.c.d, so both spellings
// of one IPv4 client are the same address).
using IpBytes = std::array<std::uint8_t, 16>;
std::optional<IpBytes> parse_ip(std::string_view text);
// The canonical text: dotted quad for IPv4 (also when it came IPv4-mapped), RFC 5952 for IPv6.
std::string format_ip(const IpBytes& address);

// The key per-client limits count under: an IPv4 address itself, an IPv6 address's
// /64 ("2001:db8:1:2::/64"). One subscriber gets a whole /64 and can rotate through
// it at will, so keying on the full address let a client escape every limit.
// Anything that is not an address comes back unchanged.
std::string limit_key(const std::string& client_ip);

class TrustedProxies {
 public:
  // "10.0.0.5, 10.1.0.0/16, fd00::/8": addresses or CIDR ranges, comma-separated;
  // empty text trusts nobody. An entry that is neither is an error naming it.
  static Result<TrustedProxies> parse(std::string_view text);

  bool empty() const { return ranges_.empty(); }
  bool trusts(const IpBytes& address) const;

 private:
  struct Range {
    IpBytes network{};
    int prefix_bits = 128;  // over the 16 bytes (an IPv4 /24 is stored as /120)
  };
  std::vector<Range> ranges_;
};

// The client's address for limits and records: `peer` itself unless it is a trusted
// proxy; then the right-most X-Forwarded-For entry that is not a trusted proxy
// (entries to its left were written by the client and prove nothing). If every
// entry is trusted, the left-most; if the header is missing or an entry is not an
// address, the nearest trusted hop (never a value the client could choose).
// Returned in canonical form; a peer that is not an address comes back unchanged.
std::string select_client_ip(const std::string& peer, const std::optional<std::string>& forwarded_for,
                             const TrustedProxies& proxies);

}  // namespace pledged
