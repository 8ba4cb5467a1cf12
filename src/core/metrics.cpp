#include "pledged/core/metrics.hpp"

#include <cstdio>

namespace pledged {
namespace {

std::string number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

}  // namespace

void Metrics::observe_request(std::string_view route, std::string_view method, int status, double seconds) {
  std::string route_labels = "route=\"";
  route_labels += route;
  route_labels += "\",method=\"";
  route_labels += method;
  route_labels += "\"";
  std::string labels = route_labels + ",status=\"" + std::to_string(status) + "\"";

  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[labels];
  auto& histogram = latency_[route_labels];
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) ++histogram.buckets[i];
  }
  ++histogram.count;
  histogram.sum += seconds;
}

void Metrics::increment(std::string_view name, std::string_view help, std::string_view labels, std::uint64_t by) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = counters_.find(name);
  if (found == counters_.end()) found = counters_.emplace(std::string(name), Counter{std::string(help), {}}).first;
  found->second.by_labels[std::string(labels)] += by;
}

void Metrics::add_gauges(std::function<void(std::string&)> writer) {
  std::lock_guard<std::mutex> lock(mutex_);
  gauges_.push_back(std::move(writer));
}

std::string Metrics::render() const {
  std::string out;
  std::vector<std::function<void(std::string&)>> gauges;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out += "# HELP pledged_http_requests_total HTTP requests answered, by route, method and status.\n";
    out += "# TYPE pledged_http_requests_total counter\n";
    for (const auto& [labels, count] : requests_) {
      out += "pledged_http_requests_total{" + labels + "} " + std::to_string(count) + "\n";
    }
    out += "# HELP pledged_http_request_duration_seconds Time from request parsed to response written.\n";
    out += "# TYPE pledged_http_request_duration_seconds histogram\n";
    for (const auto& [labels, histogram] : latency_) {
      for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        out += "pledged_http_request_duration_seconds_bucket{" + labels + ",le=\"" + number(kLatencyBuckets[i]) +
               "\"} " + std::to_string(histogram.buckets[i]) + "\n";
      }
      out += "pledged_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
             std::to_string(histogram.count) + "\n";
      out += "pledged_http_request_duration_seconds_sum{" + labels + "} " + number(histogram.sum) + "\n";
      out += "pledged_http_request_duration_seconds_count{" + labels + "} " + std::to_string(histogram.count) + "\n";
    }
    for (const auto& [name, counter] : counters_) {
      out += "# HELP " + name + " " + counter.help + "\n# TYPE " + name + " counter\n";
      for (const auto& [labels, count] : counter.by_labels) {
        out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(count) + "\n";
      }
    }
    gauges = gauges_;
  }
  // Gauge sources take their own locks; call them without holding ours.
  for (const auto& gauge : gauges) gauge(out);
  return out;
}

void append_gauge(std::string& out, std::string_view name, std::string_view help, double value) {
  out += "# HELP ";
  out += name;
  out += " ";
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " gauge\n";
  out += name;
  out += " " + number(value) + "\n";
}

}  // namespace pledged
