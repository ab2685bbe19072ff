#pragma once
// Prometheus metrics: requests and latency histograms by route and status,
// plus gauges sampled when /metrics is scraped. Thread-safe.

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

namespace ticketing::api {

class Metrics {
 public:
  static constexpr std::size_t kMaxRoutes = 32;
  // `route` indexes a fixed table (0 <= route < kMaxRoutes); `method` and
  // `name` label it and must outlive the Metrics (static strings).
  void observe_request(std::size_t route, std::string_view method, std::string_view name, int status, double seconds);
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
  struct RouteStats {
    mutable std::mutex mutex;
    std::string_view method, name;
    std::map<int, Histogram> by_status;  // latency per status; its count is the request counter
  };
  mutable std::mutex mutex_;  // gauges
  std::array<RouteStats, kMaxRoutes> routes_;
  std::atomic<std::uint64_t> commits_{0};
  std::vector<std::tuple<std::string, std::string, std::function<double()>>> gauges_;
};

// One JSON line per event on standard error (or `sink`). Lines are buffered
// and written by the logger's own thread (every 50 ms, or sooner when 64 KiB
// pile up), so a request never waits for a write. Bounded: while the sink is
// stuck (a full pipe nobody reads), at most `max_pending` bytes wait; later
// lines are dropped and counted, and a line saying how many were dropped is
// written when it moves again. Destruction flushes.
class Logger {
 public:
  using Sink = std::function<void(std::string_view)>;
  explicit Logger(Sink sink = {}, std::size_t max_pending = std::size_t{8} << 20);
  ~Logger();
  Logger(Logger const&) = delete;
  Logger& operator=(Logger const&) = delete;
  // `fields` is the inside of a JSON object (already encoded members).
  void line(std::string_view level, std::string_view message, std::string_view fields = {});

 private:
  void run();
  // Appends one line: {"ts","level","msg",...fields}.
  static void append_entry(std::string& out, std::string_view level, std::string_view message, std::string_view fields);
  Sink sink_;
  std::size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string pending_;  // lines not yet handed to the sink (at most max_pending_ bytes)
  std::string writing_;  // the writer's batch, its memory reused by the next one
  std::uint64_t dropped_{0};
  bool stopping_{false};
  std::thread writer_;
};

}  // namespace ticketing::api
