#pragma once
// The append workload shared by the log benchmarks: single-event durable
// commits over 10,000 streams from N concurrent appenders, each owning its
// own streams (so they never conflict), with per-commit latency.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "domain/ids.hpp"
#include "eventstore/event_log.hpp"

namespace ticketing::bench {

using Clock = std::chrono::steady_clock;

inline constexpr int kStreams = 10'000;
inline Instant const kAt = *parse_iso8601("2026-11-21T10:00:00.000Z");

inline std::string ticket_of(int n) {
  std::string id = std::to_string(n);
  return std::string(24 - id.size(), '0') + id;
}

inline Commit update_commit(int stream, std::int64_t expected, std::uint64_t seq) {
  Commit c;
  c.commit_id = "b" + std::to_string(seq);
  c.partition_key = ticket_of(stream);
  c.expected = {{ticket_stream(ticket_of(stream)), expected}};
  c.events.emplace_back(
      TicketUpdated{ticket_of(stream), "Bench ticket", Money{1000 + expected}, Money{999 + expected}, kAt});
  c.meta.recorded_at = kAt;
  return c;
}

inline void create_streams(EventLog& log) {
  std::vector<std::future<Result<AppendResult>>> pending;
  for (int s = 0; s < kStreams; ++s) {
    Commit c;
    c.commit_id = "create-" + std::to_string(s);
    c.partition_key = ticket_of(s);
    c.expected = {{ticket_stream(ticket_of(s)), kNoStream}};
    c.events.emplace_back(TicketCreated{ticket_of(s), "seller", "Bench ticket", Money{1000}, kAt});
    c.meta.recorded_at = kAt;
    auto promise = std::make_shared<std::promise<Result<AppendResult>>>();
    pending.push_back(promise->get_future());
    log.append_async(std::move(c), [promise](Result<AppendResult> r) { promise->set_value(std::move(r)); });
  }
  for (auto& f : pending) {
    if (!f.get()) throw std::runtime_error("stream creation failed");
  }
}

struct RunResult {
  double commits_per_second;
  double p50_us, p99_us;
  std::uint64_t commits;
};

inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  auto const k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// Each appender owns the streams s with s % appenders == its index, so
// appenders never conflict; each commit is one event on the next owned stream.
inline RunResult run(EventLog& log, int appenders, double seconds, std::vector<std::int64_t>& versions,
                     std::atomic<std::uint64_t>& seq) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(appenders));
  std::vector<std::thread> threads;
  for (int a = 0; a < appenders; ++a) {
    threads.emplace_back([&, a] {
      auto& lat = latencies[static_cast<std::size_t>(a)];
      lat.reserve(400'000);
      int stream = a;
      while (!stop.load(std::memory_order_relaxed)) {
        auto& version = versions[static_cast<std::size_t>(stream)];
        auto const start = Clock::now();
        auto r = log.append(update_commit(stream, version, seq++));
        auto const end = Clock::now();
        if (!r) {
          std::fprintf(stderr, "append failed: %s\n", r.error().message.c_str());
          std::abort();
        }
        ++version;
        lat.push_back(std::chrono::duration<double, std::micro>(end - start).count());
        stream += appenders;
        if (stream >= kStreams) stream = a;
      }
    });
  }
  auto const start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  double const elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  RunResult result{};
  result.commits = all.size();
  result.commits_per_second = static_cast<double>(all.size()) / elapsed;
  result.p50_us = percentile(all, 0.50);
  result.p99_us = percentile(all, 0.99);
  return result;
}

}  // namespace ticketing::bench
