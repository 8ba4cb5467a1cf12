#pragma once
// Pistache 0.0.5 writes only typed headers on responses (addRaw'd ones are kept
// but never sent): this small typed wrapper sends any header through its
// ResponseWriter. pledged writes its own answers (wire_head.hpp); the bench's bare
// Pistache peer uses this to send the same headers the way the library does.
#include <pistache/http_header.h>

#include <string>

namespace pledged {

class NamedHeader final : public Pistache::Http::Header::Header {
 public:
  NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
  const char* name() const override { return name_.c_str(); }
  void parse(const std::string& data) override { value_ = data; }
  void write(std::ostream& stream) const override { stream << value_; }
#ifdef SAFE_HEADER_CAST
  uint64_t hash() const override { return 0; }
#endif

 private:
  std::string name_;
  std::string value_;
};

}  // namespace pledged
