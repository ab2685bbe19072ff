#pragma once
// The append workload shared by the log benchmarks: single-event durable
// commits over 10,000 streams from N concurrent appenders, each owning its
// own streams (so they never conflict), with per-commit latency.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "domain/ids.hpp"
#include "eventstore/event_log.hpp"

namespace ticketing::bench {

using Clock = std::chrono::steady_clock;

inline constexpr int kStreams = 10'000;
// How long an asynchronous driver waits for any answer before it fails the run.
inline constexpr std::chrono::seconds kAnswerLimit{30};
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

// Every client's commit latencies (µs) over `elapsed` seconds, as one result.
inline RunResult summarize(std::vector<std::vector<double>> const& latencies, double elapsed) {
  std::vector<double> all;
  for (auto const& l : latencies) all.insert(all.end(), l.begin(), l.end());
  RunResult result{};
  result.commits = all.size();
  result.commits_per_second = static_cast<double>(all.size()) / elapsed;
  result.p50_us = percentile(all, 0.50);
  result.p99_us = percentile(all, 0.99);
  return result;
}

// A client's next owned stream after `stream` (s % clients == client).
inline int next_stream(int stream, int client, int clients) {
  stream += clients;
  return stream >= kStreams ? client : stream;
}

// Runs `clients` threads for `seconds`. Each thread makes its committer with
// `make(client)` (a connection, say), then commits on the streams it owns
// (s % clients == client) in turn, timing each `commit(stream)`; a commit
// that answers false stops the run as failed (std::runtime_error).
template <class MakeCommitter>
RunResult run_clients(int clients, double seconds, MakeCommitter const& make) {
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto commit = make(c);
      auto& lat = latencies[static_cast<std::size_t>(c)];
      lat.reserve(400'000);
      int stream = c;
      while (!stop.load(std::memory_order_relaxed)) {
        auto const start = Clock::now();
        if (!commit(stream)) {
          failed = true;
          return;
        }
        lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        stream = next_stream(stream, c, clients);
      }
    });
  }
  auto const start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  if (failed) throw std::runtime_error("a commit failed");
  return summarize(latencies, std::chrono::duration<double>(Clock::now() - start).count());
}

// The log's run: one event per commit on the appender's next owned stream,
// expecting the version it wrote last (appenders never conflict).
inline RunResult run(EventLog& log, int appenders, double seconds, std::vector<std::int64_t>& versions,
                     std::atomic<std::uint64_t>& seq) {
  return run_clients(appenders, seconds, [&](int) {
    return [&](int stream) {
      auto& version = versions[static_cast<std::size_t>(stream)];
      auto r = log.append(update_commit(stream, version, seq++));
      if (!r) {
        std::fprintf(stderr, "append failed: %s\n", r.error().message.c_str());
        return false;
      }
      ++version;
      return true;
    };
  });
}

// The log's run as the server appends: `appenders` asynchronous clients on
// one driver thread (as the server's I/O threads append), each with one
// commit in flight. The log's completion hands the client back to the
// driver, which times it and starts the client's next commit; no thread
// waits per commit. Stops starting commits after `seconds`, then drains.
inline RunResult run_async(EventLog& log, int appenders, double seconds, std::vector<std::int64_t>& versions,
                           std::atomic<std::uint64_t>& seq) {
  struct Appender {
    int stream;
    Clock::time_point started;
  };
  std::vector<Appender> clients(static_cast<std::size_t>(appenders));
  std::vector<std::vector<double>> latencies(clients.size());
  std::mutex mutex;
  std::condition_variable completed;
  std::vector<std::pair<int, bool>> done;  // (client, succeeded), handed from the log's thread to the driver
  auto const start_commit = [&](int c) {
    auto& client = clients[static_cast<std::size_t>(c)];
    client.started = Clock::now();
    auto const version = versions[static_cast<std::size_t>(client.stream)];
    log.append_async(update_commit(client.stream, version, seq++), [&, c](Result<AppendResult> r) {
      if (!r) std::fprintf(stderr, "append failed: %s\n", r.error().message.c_str());
      std::lock_guard lock(mutex);
      done.emplace_back(c, r.has_value());
      completed.notify_one();
    });
  };
  auto const begin = Clock::now();
  auto const deadline = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int c = 0; c < appenders; ++c) {
    clients[static_cast<std::size_t>(c)].stream = c;
    latencies[static_cast<std::size_t>(c)].reserve(400'000);
    start_commit(c);
  }
  int in_flight = appenders;
  bool failed = false;
  std::vector<std::pair<int, bool>> ready;
  while (in_flight > 0) {
    {
      std::unique_lock lock(mutex);
      // The log answers every append; one that stays unanswered this long
      // fails the run rather than hanging it.
      if (!completed.wait_for(lock, kAnswerLimit, [&] { return !done.empty(); })) {
        throw std::runtime_error("the log answered no commit for 30 s");
      }
      ready.swap(done);
    }
    auto const now = Clock::now();
    for (auto const& [c, ok] : ready) {
      --in_flight;
      auto& client = clients[static_cast<std::size_t>(c)];
      if (!ok) {
        failed = true;
        continue;
      }
      latencies[static_cast<std::size_t>(c)].push_back(
          std::chrono::duration<double, std::micro>(now - client.started).count());
      ++versions[static_cast<std::size_t>(client.stream)];
      client.stream = next_stream(client.stream, c, appenders);
      if (now < deadline && !failed) {
        start_commit(c);
        ++in_flight;
      }
    }
    ready.clear();
  }
  if (failed) throw std::runtime_error("a commit failed");
  return summarize(latencies, std::chrono::duration<double>(Clock::now() - begin).count());
}

}  // namespace ticketing::bench
