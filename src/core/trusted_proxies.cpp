#include "pledged/core/trusted_proxies.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace pledged {
namespace {

constexpr IpBytes kIpv4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};

bool is_ipv4_mapped(const IpBytes& address) {
  return std::memcmp(address.data(), kIpv4MappedPrefix.data(), 12) == 0;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    const auto comma = text.find(',');
    items.push_back(trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) return items;
    text.remove_prefix(comma + 1);
  }
}

bool same_prefix(const IpBytes& a, const IpBytes& b, int bits) {
  const auto whole_bytes = static_cast<std::size_t>(bits / 8);
  if (std::memcmp(a.data(), b.data(), whole_bytes) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole_bytes] & mask) == (b[whole_bytes] & mask);
}

}  // namespace

std::optional<IpBytes> parse_ip(std::string_view text) {
  // inet_pton reads a C string: "1.2.3.4\0junk" must not pass as 1.2.3.4.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  const std::string owned(text);
  IpBytes bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, owned.c_str(), &v4) == 1) {
    bytes = kIpv4MappedPrefix;
    std::memcpy(bytes.data() + 12, &v4, 4);
    return bytes;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, owned.c_str(), &v6) == 1) {
    std::memcpy(bytes.data(), &v6, 16);
    return bytes;
  }
  return std::nullopt;
}

std::string limit_key(const std::string& client_ip) {
  auto address = parse_ip(client_ip);
  if (!address) return client_ip;
  if (is_ipv4_mapped(*address)) return format_ip(*address);
  for (std::size_t i = 8; i < address->size(); ++i) (*address)[i] = 0;
  return format_ip(*address) + "/64";
}

std::string format_ip(const IpBytes& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_ipv4_mapped(address)) {
    inet_ntop(AF_INET, address.data() + 12, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, address.data(), text, sizeof text);
  }
  return text;
}

Result<TrustedProxies> TrustedProxies::parse(std::string_view text) {
  TrustedProxies proxies;
  if (trim(text).empty()) return proxies;
  for (const auto entry : split_commas(text)) {
    if (entry.empty()) continue;  // "a, b," as the other list variables allow
    const auto slash = entry.find('/');
    const auto address = parse_ip(entry.substr(0, slash));
    auto invalid = [&] {
      return make_error(ErrorCode::validation_failed,
                        "expected IP addresses or CIDR ranges, comma-separated, got \"" + std::string(entry) + "\"");
    };
    if (!address) return invalid();
    const bool v4 = entry.substr(0, slash).find(':') == std::string_view::npos;
    int bits = 128;
    if (slash != std::string_view::npos) {
      const auto digits = entry.substr(slash + 1);
      if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
        return invalid();
      }
      const int prefix = std::stoi(std::string(digits));
      if (prefix > (v4 ? 32 : 128)) return invalid();
      bits = v4 ? 96 + prefix : prefix;
    }
    proxies.ranges_.push_back(Range{*address, bits});
  }
  return proxies;
}

bool TrustedProxies::trusts(const IpBytes& address) const {
  for (const auto& range : ranges_) {
    if (same_prefix(range.network, address, range.prefix_bits)) return true;
  }
  return false;
}

std::string select_client_ip(const std::string& peer, const std::optional<std::string>& forwarded_for,
                             const TrustedProxies& proxies) {
  const auto peer_address = parse_ip(peer);
  if (!peer_address) return peer;
  IpBytes nearest = *peer_address;
  if (!proxies.trusts(nearest) || !forwarded_for) return format_ip(nearest);
  const auto hops = split_commas(*forwarded_for);
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    const auto address = parse_ip(*hop);
    if (!address) break;
    nearest = *address;
    if (!proxies.trusts(nearest)) break;
  }
  return format_ip(nearest);
}

}  // namespace pledged
