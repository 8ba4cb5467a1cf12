#include <gtest/gtest.h>

#include "pledged/core/trusted_proxies.hpp"

using pledged::parse_ip;
using pledged::select_client_ip;
using pledged::TrustedProxies;

namespace {

TrustedProxies trusting(const std::string& list) {
  auto proxies = TrustedProxies::parse(list);
  EXPECT_TRUE(proxies) << list << ": " << proxies.error().message;
  return proxies ? *proxies : TrustedProxies{};
}

}  // namespace

TEST(TrustedProxies, ParsesAddressesAndRangesOfBothFamilies) {
  const auto proxies = trusting("127.0.0.1, 10.20.0.0/16,fd00::/8 , 2001:db8::7");
  EXPECT_TRUE(proxies.trusts(*parse_ip("127.0.0.1")));
  EXPECT_FALSE(proxies.trusts(*parse_ip("127.0.0.2")));
  EXPECT_TRUE(proxies.trusts(*parse_ip("10.20.255.1")));
  EXPECT_FALSE(proxies.trusts(*parse_ip("10.21.0.1")));
  EXPECT_TRUE(proxies.trusts(*parse_ip("fdab::1")));
  EXPECT_FALSE(proxies.trusts(*parse_ip("fe80::1")));
  EXPECT_TRUE(proxies.trusts(*parse_ip("2001:db8:0:0::7")));
  EXPECT_TRUE(proxies.trusts(*parse_ip("::ffff:10.20.3.4"))) << "an IPv4-mapped peer is the IPv4 address";
}

TEST(TrustedProxies, OddPrefixLengthsMatchBitByBit) {
  const auto proxies = trusting("192.168.1.64/26");
  EXPECT_FALSE(proxies.trusts(*parse_ip("192.168.1.63")));
  EXPECT_TRUE(proxies.trusts(*parse_ip("192.168.1.64")));
  EXPECT_TRUE(proxies.trusts(*parse_ip("192.168.1.127")));
  EXPECT_FALSE(proxies.trusts(*parse_ip("192.168.1.128")));
  EXPECT_TRUE(trusting("0.0.0.0/0").trusts(*parse_ip("8.8.8.8")));
  EXPECT_FALSE(trusting("0.0.0.0/0").trusts(*parse_ip("2001:db8::1"))) << "an IPv4 range never covers IPv6";
}

TEST(TrustedProxies, EmptyTrustsNobodyAndJunkIsRefusedByName) {
  EXPECT_TRUE(trusting("").empty());
  EXPECT_TRUE(trusting(" ").empty());
  for (const char* bad : {"nginx", "10.0.0.0/33", "::/129", "10.0.0.1/", "10.0.0.1/-1", "1.2.3.4:80", "10.0.0.0/8x"}) {
    const auto parsed = TrustedProxies::parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find(bad), std::string::npos) << parsed.error().message;
  }
}

TEST(ClientIp, ASpoofedForwardedForFromAnUntrustedPeerIsIgnored) {
  EXPECT_EQ(select_client_ip("203.0.113.9", "198.51.100.1", trusting("")), "203.0.113.9");
  EXPECT_EQ(select_client_ip("203.0.113.9", "198.51.100.1", trusting("10.0.0.0/8")), "203.0.113.9");
}

TEST(ClientIp, ATrustedProxysForwardedForNamesTheClient) {
  const auto proxies = trusting("127.0.0.1");
  EXPECT_EQ(select_client_ip("127.0.0.1", "198.51.100.1", proxies), "198.51.100.1");
  EXPECT_EQ(select_client_ip("127.0.0.1", std::nullopt, proxies), "127.0.0.1") << "no header: the proxy itself";
  EXPECT_EQ(select_client_ip("127.0.0.1", "", proxies), "127.0.0.1");
}

TEST(ClientIp, TakesTheRightMostUntrustedHopOfAChain) {
  const auto proxies = trusting("127.0.0.1, 10.0.0.0/8");
  // The client wrote 6.6.6.6 itself; the load balancer (10.0.0.2) appended what it saw.
  EXPECT_EQ(select_client_ip("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2", proxies), "198.51.100.7");
  EXPECT_EQ(select_client_ip("127.0.0.1", "6.6.6.6,198.51.100.7", proxies), "198.51.100.7");
  // Every hop trusted: the left-most is the closest thing to a client there is.
  EXPECT_EQ(select_client_ip("127.0.0.1", "10.9.9.9, 10.0.0.2", proxies), "10.9.9.9");
}

TEST(ClientIp, AJunkHopStopsTheWalkAtTheNearestTrustedOne) {
  const auto proxies = trusting("127.0.0.1, 10.0.0.0/8");
  EXPECT_EQ(select_client_ip("127.0.0.1", "unknown", proxies), "127.0.0.1");
  EXPECT_EQ(select_client_ip("127.0.0.1", "198.51.100.7, junk, 10.0.0.2", proxies), "10.0.0.2");
}

TEST(ClientIp, IPv6AndMappedAddressesComeBackCanonical) {
  const auto proxies = trusting("::1");
  EXPECT_EQ(select_client_ip("::1", "2001:DB8:0:0:0:0:0:1", proxies), "2001:db8::1");
  EXPECT_EQ(select_client_ip("::1", "::ffff:198.51.100.7", proxies), "198.51.100.7")
      << "one IPv4 client, one bucket, however it is spelled";
  EXPECT_EQ(select_client_ip("2001:db8::5", "198.51.100.7", proxies), "2001:db8::5");
}

TEST(ClientIp, AnAddressWithAnEmbeddedNulIsNotAnAddress) {
  EXPECT_FALSE(parse_ip(std::string_view("198.51.100.7\0junk", 17)));
  EXPECT_EQ(select_client_ip("127.0.0.1", std::string("198.51.100.7\0junk", 17), trusting("127.0.0.1")), "127.0.0.1");
}
