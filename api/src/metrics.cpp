#include "api/metrics.hpp"

#include <chrono>
#include <cstdio>
#include <sstream>

#include "domain/time.hpp"
#include "eventstore/json_writer.hpp"

namespace ticketing::api {

void Metrics::observe_request(std::string const& method, std::string const& route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{method, route, status}];
  auto& h = latency_[{method, route}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::count_commit() {
  std::lock_guard lock(mutex_);
  ++commits_;
}

void Metrics::gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.emplace_back(std::move(name), std::move(help), std::move(read));
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP http_requests_total HTTP requests answered, by method, route and status.\n"
      << "# TYPE http_requests_total counter\n";
  for (auto const& [key, n] : requests_) {
    auto const& [method, route, status] = key;
    out << "http_requests_total{method=\"" << method << "\",route=\"" << route << "\",status=\"" << status << "\"} "
        << n << "\n";
  }
  out << "# HELP http_request_duration_seconds Time from request read to response ready.\n"
      << "# TYPE http_request_duration_seconds histogram\n";
  for (auto const& [key, h] : latency_) {
    std::string const labels = "method=\"" + key.first + "\",route=\"" + key.second + "\"";
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out << "http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i] << "\"} " << h.buckets[i]
          << "\n";
    }
    out << "http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n";
    out << "http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n";
    out << "http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  out << "# HELP ticketing_commits_total Commits appended by this server's commands.\n"
      << "# TYPE ticketing_commits_total counter\nticketing_commits_total " << commits_ << "\n";
  for (auto const& [name, help, read] : gauges_) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << read() << "\n";
  }
  return out.str();
}

void Logger::line(std::string_view level, std::string_view message, std::string_view fields) {
  static std::mutex mutex;
  auto const now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  std::string out = "{\"ts\":\"" + format_iso8601(now) + "\",\"level\":\"" + std::string(level) + "\",\"msg\":";
  append_json_string(out, message);
  if (!fields.empty()) {
    out += ',';
    out += fields;
  }
  out += "}\n";
  std::lock_guard lock(mutex);
  std::fwrite(out.data(), 1, out.size(), stderr);
  std::fflush(stderr);
}

}  // namespace ticketing::api
