#pragma once
// Prometheus metrics: requests and latency histograms by route and status,
// plus gauges sampled when /metrics is scraped. Thread-safe.

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace ticketing::api {

class Metrics {
 public:
  void observe_request(std::string const& method, std::string const& route, int status, double seconds);
  void count_commit();
  // A gauge whose value is read at scrape time.
  void gauge(std::string name, std::string help, std::function<double()> read);
  [[nodiscard]] std::string render() const;

 private:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count{0};
    double sum{0};
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  std::uint64_t commits_{0};
  std::vector<std::tuple<std::string, std::string, std::function<double()>>> gauges_;
};

// One JSON line per event on standard error, serialised across threads.
class Logger {
 public:
  // `fields` is the inside of a JSON object (already encoded members).
  void line(std::string_view level, std::string_view message, std::string_view fields = {});
};

}  // namespace ticketing::api
