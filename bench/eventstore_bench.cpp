// Measures the embedded log: durable single-event commits per second with 1,
// 16 and 64 concurrent appenders over 10,000 streams (p50/p99 latency), and
// the rate of rebuilding aggregate state from the log, next to a bare scan of
// the same log (RocksDB's iteration alone: no decode, no fold) as its peer.
//
// Usage: eventstore_bench [DIR] [SECONDS_PER_RUN] [--keep]
//        eventstore_bench --rebuild-only DIR   (folds an existing log)
// Every figure comes from this run; nothing is assumed.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <rocksdb/db.h>

#include "append_load.hpp"
#include "domain/ids.hpp"
#include "domain/ticket.hpp"
#include "eventstore/codec.hpp"
#include "eventstore/rocksdb_log.hpp"

using namespace ticketing;
using namespace ticketing::bench;

namespace {

using TicketStates = std::unordered_map<std::string, ticket::State>;

// Folds the ticket events among `events` into per-ticket state; returns how many.
std::uint64_t fold_events(Events& events, TicketStates& tickets) {
  std::uint64_t folded = 0;
  for (auto& e : events) {
    if (auto te = narrow<TicketEvent>(std::move(e))) {
      auto const& id = std::visit([](auto const& ev) -> std::string const& { return ev.ticket_id; }, *te);
      auto& state = tickets[id];
      state = ticket::evolve(std::move(state), *te);
      ++folded;
    }
  }
  return folded;
}

// Reads every commit of every partition and folds the ticket events into
// per-ticket state, as a node does when it rebuilds its write-side state.
// Partitions are independent, so `threads` workers fold disjoint sets of them.
std::uint64_t fold_partitions(RocksDbLog& log, unsigned worker, unsigned threads, TicketStates& tickets) {
  std::uint64_t events = 0;
  for (std::uint32_t p = worker; p < log.partition_count(); p += threads) {
    for (std::uint64_t offset = 0;;) {
      auto commits = log.read_partition(p, offset, 4096);
      if (!commits || commits->empty()) break;
      for (auto& rc : *commits) events += fold_events(rc.commit.events, tickets);
      offset = commits->back().position.offset + 1;
    }
  }
  return events;
}

bool is_ticket_event(std::string_view type) noexcept { return type.starts_with("Ticket"); }

// The same fold from the commits as stored, decoding only the ticket events
// (what `ticketing snapshot` does over a whole log): the commit's
// envelope, its expected versions and every other event are skipped unread,
// and the reads leave the block cache alone.
std::uint64_t fold_partitions_stored(RocksDbLog& log, unsigned worker, unsigned threads, TicketStates& tickets) {
  std::uint64_t events = 0;
  for (std::uint32_t p = worker; p < log.partition_count(); p += threads) {
    for (std::uint64_t offset = 0;;) {
      auto commits = log.read_partition_stored(p, offset, 4096);
      if (!commits || commits->empty()) break;
      for (auto const& stored : *commits) {
        if (auto selected = decode_selected_events(stored, &is_ticket_event)) {
          events += fold_events(selected->events, tickets);
        }
      }
      offset = commits->back().position.offset + 1;
    }
  }
  return events;
}

// The peer of a rebuild: every commit of every partition read from RocksDB,
// opened read-only beside the log, touching each value without decoding it.
double bare_scan(std::filesystem::path const& dir, unsigned threads) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (char const* name : {rocksdb::kDefaultColumnFamilyName.c_str(), "commits", "streams", "dedup"}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::DBOptions options;
  if (!rocksdb::DB::OpenForReadOnly(options, dir.string(), families, &handles, &raw).ok()) return 0;
  std::unique_ptr<rocksdb::DB> db(raw);
  auto const start = Clock::now();
  std::vector<std::uint64_t> commits(threads), bytes(threads);
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[1]));
      // Keys are the partition (4 bytes, big-endian) then the offset: a
      // worker scans every `threads`-th partition (of fewer than 256), each
      // from its first key, as a rebuild's worker reads its partitions.
      for (unsigned p = w; p < 256; p += threads) {
        char const prefix[4] = {0, 0, 0, static_cast<char>(p)};
        for (it->Seek(rocksdb::Slice(prefix, 4)); it->Valid() && it->key().starts_with(rocksdb::Slice(prefix, 4));
             it->Next()) {
          bytes[w] += it->value().size();
          ++commits[w];
        }
        if (!it->Valid()) break;
      }
    });
  }
  for (auto& t : workers) t.join();
  double const seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  std::uint64_t total = 0, total_bytes = 0;
  for (unsigned w = 0; w < threads; ++w) total += commits[w], total_bytes += bytes[w];
  std::printf("bare scan (%u thread%s): %llu commits (%.0f MB) in %.2f s\n", threads, threads == 1 ? "" : "s",
              static_cast<unsigned long long>(total), static_cast<double>(total_bytes) / 1e6, seconds);
  return seconds;
}

// How a rebuild reads the log: whole commits decoded into typed events
// (read_partition), or the commits as stored with only the ticket events
// decoded (read_partition_stored).
enum class Decode { whole_commits, ticket_events };

double rebuild(RocksDbLog& log, unsigned threads, Decode decode) {
  auto const start = Clock::now();
  std::vector<TicketStates> tickets(threads);
  std::vector<std::uint64_t> counts(threads);
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      counts[w] = decode == Decode::whole_commits ? fold_partitions(log, w, threads, tickets[w])
                                                  : fold_partitions_stored(log, w, threads, tickets[w]);
    });
  }
  for (auto& t : workers) t.join();
  double const seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::uint64_t events = 0;
  std::size_t states = 0;
  for (unsigned w = 0; w < threads; ++w) {
    events += counts[w];
    states += tickets[w].size();
  }
  std::printf("rebuild, %s (%u thread%s): %llu events folded into %zu tickets in %.2f s = %.0f events/s\n",
              decode == Decode::whole_commits ? "whole commits decoded" : "ticket events decoded", threads,
              threads == 1 ? "" : "s", static_cast<unsigned long long>(events), states, seconds,
              static_cast<double>(events) / seconds);
  return seconds;
}

void rebuilds(RocksDbLog& log, std::filesystem::path const& dir) {
  unsigned const cores = std::max(1u, std::thread::hardware_concurrency());
  rebuild(log, 1, Decode::whole_commits);  // once to warm the OS page cache, then measured
  for (unsigned threads : {1u, cores}) {
    double const scanned = bare_scan(dir, threads);
    for (Decode const decode : {Decode::whole_commits, Decode::ticket_events}) {
      double const folded = rebuild(log, threads, decode);
      if (folded > 0 && scanned > 0) {
        std::printf("rebuild (%s) as a ratio of the bare scan's speed (%u thread%s): %.2fx\n",
                    decode == Decode::whole_commits ? "whole commits" : "ticket events", threads,
                    threads == 1 ? "" : "s", scanned / folded);
      }
    }
    if (cores == 1) break;
  }
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--rebuild-only") {
    auto log = RocksDbLog::open({.path = argv[2]});
    if (!log) {
      std::fprintf(stderr, "eventstore_bench: %s\n", log.error().message.c_str());
      return 1;
    }
    rebuilds(**log, argv[2]);
    return 0;
  }
  bool const keep = argc > 3 && std::string(argv[3]) == "--keep";
  std::filesystem::path const dir = argc > 1 ? argv[1] : std::filesystem::temp_directory_path() / "ticketing-bench-log";
  double const seconds = argc > 2 ? std::stod(argv[2]) : 5.0;
  std::filesystem::remove_all(dir);
  std::printf("machine: %u hardware threads, %s\n", std::thread::hardware_concurrency(), cpu_model().c_str());
  std::printf("log: %s, 16 partitions, WAL synced on every group commit\n", dir.c_str());
  {
    auto log = RocksDbLog::open({.path = dir.string(), .partitions = 16});
    if (!log) {
      std::fprintf(stderr, "%s\n", log.error().message.c_str());
      return 1;
    }
    create_streams(**log);
    std::vector<std::int64_t> versions(kStreams, 0);
    std::atomic<std::uint64_t> seq{0};
    std::printf("%-10s %14s %12s %12s %10s\n", "appenders", "commits/s", "p50 (us)", "p99 (us)", "commits");
    for (int appenders : {1, 16, 64}) {
      auto const r = run(**log, appenders, seconds, versions, seq);
      std::printf("%-10d %14.0f %12.0f %12.0f %10llu\n", appenders, r.commits_per_second, r.p50_us, r.p99_us,
                  static_cast<unsigned long long>(r.commits));
    }
  }
  auto log = RocksDbLog::open({.path = dir.string()});
  if (!log) return 1;
  rebuilds(**log, dir);
  log->reset();
  if (!keep) std::filesystem::remove_all(dir);
}
