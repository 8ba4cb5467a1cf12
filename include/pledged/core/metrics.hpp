#pragma once
// Prometheus text exposition: counters and a latency histogram per route, plus
// gauges read from their owners (pools, caches) at scrape time.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pledged {

class Metrics {
 public:
  static constexpr std::array<double, 12> kLatencyBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1.0,  5.0};

  // `route` is the route's pattern (never the raw path, which may hold ids).
  void observe_request(std::string_view route, std::string_view method, int status, double seconds);

  // A counter `name` with labels rendered as `a="x",b="y"` (values from a fixed set).
  void increment(std::string_view name, std::string_view help, std::string_view labels, std::uint64_t by = 1);

  // A function that appends gauge lines (with their HELP/TYPE) at scrape time.
  void add_gauges(std::function<void(std::string&)> writer);

  std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Counter {
    std::string help;
    std::map<std::string, std::uint64_t> by_labels;
  };

  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> requests_;      // labels -> count
  std::map<std::string, Histogram> latency_;           // route labels -> histogram
  std::map<std::string, Counter, std::less<>> counters_;
  std::vector<std::function<void(std::string&)>> gauges_;
};

// Appends one gauge with its HELP and TYPE lines.
void append_gauge(std::string& out, std::string_view name, std::string_view help, double value);

}  // namespace pledged
