#pragma once
// Small wrappers over OpenSSL: digests for stored hashes and ETags, and
// unguessable identifiers for anything handed to the public.
#include <cstddef>
#include <string>
#include <string_view>

namespace pledged {

std::string sha256_hex(std::string_view data);

// Lowercase hex of raw bytes (digests, MACs).
std::string hex_encode(const unsigned char* bytes, std::size_t length);

// `length` characters of [0-9A-Za-z] from OpenSSL's CSPRNG, without modulo bias.
std::string random_base62(std::size_t length);

}  // namespace pledged
