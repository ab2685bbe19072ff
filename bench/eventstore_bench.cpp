// Measures the embedded log: durable single-event commits per second with 1,
// 16 and 64 concurrent appenders over 10,000 streams (p50/p99 latency), each
// a thread waiting for its commit, then 64 asynchronous appenders on one
// driver thread as the server's I/O threads append (bench/append_load.hpp), and
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
#include <sys/resource.h>
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
// per-ticket state, as a node does when it rebuilds its write-side state:
// each partition's own (a node keeps state per partition it serves).
// Partitions are independent, so `threads` workers fold disjoint sets of them.
std::uint64_t fold_partitions(RocksDbLog& log, unsigned worker, unsigned threads, std::vector<TicketStates>& tickets) {
  std::uint64_t events = 0;
  for (std::uint32_t p = worker; p < log.partition_count(); p += threads) {
    for (std::uint64_t offset = 0;;) {
      auto commits = log.read_partition(p, offset, 4096);
      if (!commits || commits->empty()) break;
      for (auto& rc : *commits) events += fold_events(rc.commit.events, tickets[p]);
      offset = commits->back().position.offset + 1;
    }
  }
  return events;
}

bool is_ticket_event(std::string_view type) noexcept { return type.starts_with("Ticket"); }

// The same fold from the commits as stored, decoding only the ticket events
// (what `ticketing snapshot` does over a whole log): the commit's
// envelope, its expected versions and every other event are skipped unread,
// the reads leave the block cache alone and reuse one batch's memory.
std::uint64_t fold_partitions_stored(RocksDbLog& log, unsigned worker, unsigned threads,
                                     std::vector<TicketStates>& tickets) {
  std::uint64_t events = 0;
  std::vector<StoredCommit> commits;  // one batch's memory, reused by every read
  SelectedEvents selected;            // one commit's events' memory, reused likewise
  for (std::uint32_t p = worker; p < log.partition_count(); p += threads) {
    for (std::uint64_t offset = 0;;) {
      if (!log.read_partition_stored_into(p, offset, 4096, commits) || commits.empty()) break;
      for (auto const& stored : commits) {
        if (decode_selected_events(stored, &is_ticket_event, selected)) {
          events += fold_events(selected.events, tickets[p]);
        }
      }
      offset = commits.back().position.offset + 1;
    }
  }
  return events;
}

// The peer of a rebuild: every commit of every partition read from RocksDB,
// opened read-only beside the log, touching each value without decoding it.
struct Scan {
  double seconds;
  std::uint64_t commits, bytes;
};
Scan bare_scan(std::filesystem::path const& dir, unsigned threads) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (char const* name : {rocksdb::kDefaultColumnFamilyName.c_str(), "commits", "streams", "dedup"}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::DBOptions options;
  if (!rocksdb::DB::OpenForReadOnly(options, dir.string(), families, &handles, &raw).ok()) return {0, 0, 0};
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
  Scan scan{std::chrono::duration<double>(Clock::now() - start).count(), 0, 0};
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  for (unsigned w = 0; w < threads; ++w) scan.commits += commits[w], scan.bytes += bytes[w];
  return scan;
}

// A rebuild's reads alone: every partition's commits as stored, read into
// one reused batch, not decoded (how much of a rebuild the log's reads are).
double read_stored(RocksDbLog& log, unsigned threads) {
  auto const start = Clock::now();
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      std::vector<StoredCommit> commits;
      for (std::uint32_t p = w; p < log.partition_count(); p += threads) {
        for (std::uint64_t offset = 0;;) {
          if (!log.read_partition_stored_into(p, offset, 4096, commits) || commits.empty()) break;
          offset = commits.back().position.offset + 1;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// How a rebuild reads the log: whole commits decoded into typed events
// (read_partition), or the commits as stored with only the ticket events
// decoded (read_partition_stored).
enum class Decode { whole_commits, ticket_events };

struct Rebuild {
  double seconds;
  std::uint64_t events;
  std::size_t tickets;
};
Rebuild rebuild(RocksDbLog& log, unsigned threads, Decode decode) {
  auto const start = Clock::now();
  std::vector<TicketStates> tickets(log.partition_count());  // one per partition, each written by one worker
  // Sized once from each partition's commit count (at most one new ticket a
  // commit), as a node sizes its state from the log it is about to read:
  // the fold inserts into a table that never rehashes.
  auto const ends = log.end_offsets();
  for (std::size_t p = 0; p < tickets.size() && p < ends.size(); ++p) tickets[p].reserve(ends[p]);
  std::vector<std::uint64_t> counts(threads);
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < threads; ++w) {
    workers.emplace_back([&, w] {
      counts[w] = decode == Decode::whole_commits ? fold_partitions(log, w, threads, tickets)
                                                  : fold_partitions_stored(log, w, threads, tickets);
    });
  }
  for (auto& t : workers) t.join();
  Rebuild result{std::chrono::duration<double>(Clock::now() - start).count(), 0, 0};
  for (unsigned w = 0; w < threads; ++w) result.events += counts[w];
  for (auto const& partition : tickets) result.tickets += partition.size();
  return result;
}

// This machine is shared: each figure is the best of a few runs, the scan's
// and the rebuild's alike, so that a neighbour's burst does not decide the ratio.
constexpr int kTries = 5;

void rebuilds(RocksDbLog& log, std::filesystem::path const& dir) {
  unsigned const cores = std::max(1u, std::thread::hardware_concurrency());
  (void)rebuild(log, 1, Decode::whole_commits);  // once to warm the OS page cache, then measured
  std::printf("(each figure the best of %d runs)\n", kTries);
  for (unsigned threads : {1u, cores}) {
    char const* const s = threads == 1 ? "" : "s";
    Scan scan = bare_scan(dir, threads);
    for (int k = 1; k < kTries; ++k) {
      if (Scan const again = bare_scan(dir, threads); again.seconds < scan.seconds) scan = again;
    }
    std::printf("bare scan (%u thread%s): %llu commits (%.0f MB) in %.2f s\n", threads, s,
                static_cast<unsigned long long>(scan.commits), static_cast<double>(scan.bytes) / 1e6, scan.seconds);
    double read = read_stored(log, threads);
    for (int k = 1; k < kTries; ++k) read = std::min(read, read_stored(log, threads));
    std::printf("stored commits read, not decoded (%u thread%s): %.2f s\n", threads, s, read);
    for (Decode const decode : {Decode::whole_commits, Decode::ticket_events}) {
      Rebuild best = rebuild(log, threads, decode);
      for (int k = 1; k < kTries; ++k) {
        if (Rebuild const again = rebuild(log, threads, decode); again.seconds < best.seconds) best = again;
      }
      char const* const how = decode == Decode::whole_commits ? "whole commits" : "ticket events";
      std::printf("rebuild, %s decoded (%u thread%s): %llu events folded into %zu tickets in %.2f s = %.0f events/s\n",
                  how, threads, s, static_cast<unsigned long long>(best.events), best.tickets, best.seconds,
                  static_cast<double>(best.events) / best.seconds);
      if (best.seconds > 0 && scan.seconds > 0) {
        std::printf("rebuild (%s) as a ratio of the bare scan's speed (%u thread%s): %.2fx\n", how, threads, s,
                    scan.seconds / best.seconds);
      }
    }
    if (cores == 1) break;
  }
}

// CPU time of this whole process (appenders, committer, syncer, RocksDB's
// flushes and compactions), user and system: the cost of a commit, which a
// shared machine's neighbours change less than they change its rate.
double process_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto const seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
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
    std::printf("%-10s %14s %12s %12s %10s %14s\n", "appenders", "commits/s", "p50 (us)", "p99 (us)", "commits",
                "CPU us/commit");
    // A thread per appender, each waiting for its commit; then 64 asynchronous
    // appenders on one driver thread, as the server's I/O threads append.
    for (int appenders : {1, 16, 64, -64}) {
      bool const async = appenders < 0;
      double const cpu_before = process_cpu_seconds();
      auto const r =
          async ? run_async(**log, -appenders, seconds, versions, seq) : run(**log, appenders, seconds, versions, seq);
      double const cpu = process_cpu_seconds() - cpu_before;
      std::string const label = std::to_string(async ? -appenders : appenders) + (async ? " async" : "");
      std::printf("%-10s %14.0f %12.0f %12.0f %10llu %14.1f\n", label.c_str(), r.commits_per_second, r.p50_us, r.p99_us,
                  static_cast<unsigned long long>(r.commits), cpu * 1e6 / static_cast<double>(r.commits));
    }
  }
  auto log = RocksDbLog::open({.path = dir.string()});
  if (!log) return 1;
  rebuilds(**log, dir);
  log->reset();
  if (!keep) std::filesystem::remove_all(dir);
}
