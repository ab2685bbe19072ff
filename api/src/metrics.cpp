#include "api/metrics.hpp"

#include <chrono>
#include <cstdio>
#include <sstream>

#include "domain/time.hpp"
#include "encoding/json_writer.hpp"

namespace ticketing::api {

void Metrics::observe_request(std::size_t route, std::string_view method, std::string_view name, int status,
                              double seconds) {
  RouteStats& r = routes_[std::min(route, kMaxRoutes - 1)];
  std::lock_guard lock(r.mutex);
  r.method = method;
  r.name = name;
  Histogram& h = r.by_status[status];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::count_commit() { ++commits_; }

void Metrics::gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.emplace_back(std::move(name), std::move(help), std::move(read));
}

std::string Metrics::render() const {
  std::ostringstream out;
  out << "# HELP http_requests_total HTTP requests answered, by method, route and status.\n"
      << "# TYPE http_requests_total counter\n";
  for (auto const& r : routes_) {
    std::lock_guard lock(r.mutex);
    for (auto const& [status, h] : r.by_status) {
      out << "http_requests_total{method=\"" << r.method << "\",route=\"" << r.name << "\",status=\"" << status
          << "\"} " << h.count << "\n";
    }
  }
  out << "# HELP http_request_duration_seconds Time from request read to response ready, by route and status.\n"
      << "# TYPE http_request_duration_seconds histogram\n";
  for (auto const& r : routes_) {
    std::lock_guard lock(r.mutex);
    for (auto const& [status, h] : r.by_status) {
      std::string const labels = "method=\"" + std::string(r.method) + "\",route=\"" + std::string(r.name) +
                                 "\",status=\"" + std::to_string(status) + "\"";
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out << "http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i] << "\"} " << h.buckets[i]
            << "\n";
      }
      out << "http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n";
      out << "http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n";
      out << "http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
    }
  }
  out << "# HELP ticketing_commits_total Commits appended by this server's commands.\n"
      << "# TYPE ticketing_commits_total counter\nticketing_commits_total " << commits_.load() << "\n";
  std::lock_guard lock(mutex_);
  for (auto const& [name, help, read] : gauges_) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << read() << "\n";
  }
  return out.str();
}

Logger::Logger(Sink sink, std::size_t max_pending)
    : sink_(sink ? std::move(sink)
                 : Sink([](std::string_view bytes) { std::fwrite(bytes.data(), 1, bytes.size(), stderr); })),
      max_pending_(max_pending),
      writer_([this] { run(); }) {}

Logger::~Logger() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  writer_.join();
}

void Logger::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait_for(lock, std::chrono::milliseconds(50),
                 [&] { return stopping_ || pending_.size() >= std::size_t{64} * 1024; });
    writing_.swap(pending_);  // the lines go out; pending_ keeps the last batch's memory
    if (dropped_ > 0) {
      append_entry(writing_, "warn", "log lines dropped while the log's output was stuck",
                   "\"dropped\":" + std::to_string(dropped_));
      dropped_ = 0;
    }
    bool const last = stopping_;
    lock.unlock();
    if (!writing_.empty()) sink_(writing_);
    writing_.clear();
    // A batch grown while the output was stuck does not stay allocated.
    if (writing_.capacity() > std::size_t{1} << 20) writing_ = std::string();
    lock.lock();
    if (last && pending_.empty() && dropped_ == 0) return;
  }
}

void Logger::append_entry(std::string& out, std::string_view level, std::string_view message, std::string_view fields) {
  out += "{\"ts\":\"";
  append_iso8601(out, std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now()));
  out += "\",\"level\":\"";
  out += level;
  out += "\",\"msg\":";
  append_json_string(out, message);
  if (!fields.empty()) {
    out += ',';
    out += fields;
  }
  out += "}\n";
}

void Logger::line(std::string_view level, std::string_view message, std::string_view fields) {
  // Each thread builds its line in memory it keeps, so a line costs no
  // allocation; only the copy into pending_ is made under the lock.
  thread_local std::string built;
  built.clear();
  append_entry(built, level, message, fields);
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() + built.size() > max_pending_) {
      ++dropped_;
      return;
    }
    pending_ += built;
    full = pending_.size() >= std::size_t{64} * 1024;
  }
  if (built.capacity() > std::size_t{64} * 1024) built = std::string();  // an outsized line's memory is not kept
  if (full) cv_.notify_one();
}

}  // namespace ticketing::api
