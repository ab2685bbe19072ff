// Measures what analysts run over a log of EVENTS events (default 1,000,000):
// the ordered walk over all partitions alone (read, decode, merge: the peer),
// then export as JSON Lines and as CSV (the stored commits taken apart and
// rendered on the reading threads, merged in the walk's order), the
// snapshot (each partition's ticket and order events folded into rows by the
// read models' fold, partitions in parallel) and the figures of `analytics`.
// Prints each rate and its ratio to the walk.
//
// Usage: analysis_bench [EVENTS] [DIR] [STEP]
// STEP (walk, jsonl, csv, snapshot, analytics) runs that step alone and
// keeps the log in DIR; EVENTS 0 reuses the log kept there (for a profiler).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "analysis/export.hpp"
#include "analysis/figures.hpp"
#include "analysis/redaction.hpp"
#include "analysis/snapshot.hpp"
#include "analysis/walk.hpp"
#include "domain/ids.hpp"
#include "eventstore/rocksdb_log.hpp"

using namespace ticketing;
using Clock = std::chrono::steady_clock;

namespace {

Instant const kT0 = *parse_iso8601("2026-11-21T10:00:00.000Z");

std::string ticket_of(std::uint64_t n) {
  std::string id = std::to_string(n);
  return std::string(24 - id.size(), '0') + id;
}

// A marketplace's shape: each ticket is listed, repriced once, ordered, and
// paid (9 events over 4 commits), or left on sale.
std::uint64_t generate(RocksDbLog& log, std::uint64_t events) {
  std::uint64_t written = 0, seq = 0;
  std::atomic<std::uint64_t> pending{0};
  auto const send = [&](Commit c) {
    written += c.events.size();
    c.commit_id = "g" + std::to_string(++seq);
    ++pending;
    log.append_async(std::move(c), [&](Result<AppendResult> const& r) {
      if (!r) std::fprintf(stderr, "append failed: %s\n", r.error().message.c_str());
      --pending;
    });
    while (pending > 20'000) std::this_thread::yield();
  };
  for (std::uint64_t n = 0; written < events; ++n) {
    std::string const t = ticket_of(n), order = order_id_for(t, 1), charge = charge_id_for(order, 1);
    Instant const at = kT0 + std::chrono::seconds(n);
    Commit c{
        .commit_id = {}, .partition_key = t, .expected = {{ticket_stream(t), kNoStream}}, .events = {}, .meta = {}};
    c.meta.recorded_at = at;
    c.events = {TicketCreated{t, "seller-" + std::to_string(n % 97), "Concert row " + std::to_string(n % 40),
                              Money{static_cast<std::int64_t>(1000 + n % 5000)}, at}};
    send(c);
    c.expected = {{ticket_stream(t), 0}};
    c.events = {TicketUpdated{t, "Concert row", Money{static_cast<std::int64_t>(900 + n % 5000)},
                              Money{static_cast<std::int64_t>(1000 + n % 5000)}, at}};
    send(c);
    if (n % 4 == 3) continue;  // on sale
    c.expected = {{ticket_stream(t), 1}, {order_stream(order), kNoStream}};
    c.events = {OrderCreated{order, t, "buyer-" + std::to_string(n % 1013), "Concert row", Money{900}, 1, at, at},
                TicketReserved{t, order, "buyer", at}};
    send(c);
    c.expected = {{ticket_stream(t), 2}, {order_stream(order), 0}, {charge_stream(charge), kNoStream}};
    c.events = {OrderAwaitingPayment{order, charge, at}, ChargeCreated{charge, order, Money{900}, "usd", charge, at},
                ChargeSucceeded{charge, order, "ch_" + std::to_string(n), false, at},
                OrderCompleted{order, charge, Money{900}, at}, TicketSold{t, order, "buyer", Money{900}, at}};
    send(c);
  }
  while (pending > 0) std::this_thread::yield();
  return written;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t const events = argc > 1 ? std::stoull(argv[1]) : 1'000'000;
  std::filesystem::path const dir =
      argc > 2 ? std::filesystem::path(argv[2]) : std::filesystem::temp_directory_path() / "ticketing-analysis-bench";
  bool const reuse = events == 0;  // 0: the log a previous run kept in DIR
  std::uint64_t total = 0;
  if (!reuse) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto log = RocksDbLog::open({.path = (dir / "log").string(), .partitions = 16, .sync = false});
    if (!log) return std::fprintf(stderr, "%s\n", log.error().message.c_str()), 1;
    auto const start = Clock::now();
    total = generate(**log, events);
    std::printf("generated %llu events in %.1f s\n", static_cast<unsigned long long>(total), seconds_since(start));
  }
  // Read as the tools do: a secondary instance of a log another may hold.
  auto log = RocksDbLog::open({.path = (dir / "log").string(), .secondary_path = (dir / "secondary").string()});
  if (!log) return std::fprintf(stderr, "%s\n", log.error().message.c_str()), 1;
  analysis::Positions const from((*log)->partition_count(), 0), end = (*log)->end_offsets();
  if (reuse) {
    (void)analysis::walk(**log, from, end, [&](RecordedCommit const& c, Instant) {
      total += c.commit.events.size();
      return true;
    });
  }
  analysis::Redactor const redactor([](std::string_view e) { return "anon-" + std::to_string(e.size()); }, false);

  std::string const only = argc > 3 ? argv[3] : "";
  bool const keep = reuse || !only.empty();  // a profiling run keeps the log for the next
  auto const run = [&](char const* name, auto&& body) {
    if (!only.empty() && std::string_view(name).find(only) == std::string_view::npos) return 1.0;
    auto const start = Clock::now();
    std::uint64_t bytes = body();
    double const s = seconds_since(start);
    std::printf("%-34s %6.2f s  %10.0f events/s  %7.2f s per million", name, s, static_cast<double>(total) / s,
                s * 1e6 / static_cast<double>(total));
    if (bytes > 0) std::printf("  %6.1f MB out", static_cast<double>(bytes) / 1e6);
    std::printf("\n");
    return s;
  };
  double const one_thread_s = run("walk on one thread (no read-ahead)", [&] {
    analysis::Walker walker(**log, from);
    while (true) {
      auto next = walker.next(end);
      if (!next || !*next) break;
    }
    return std::uint64_t{0};
  });
  double const walk_s = run("walk (read, decode, merge)", [&] {
    std::uint64_t n = 0;
    (void)analysis::walk(**log, from, end, [&](RecordedCommit const& c, Instant) {
      n += c.commit.events.size();
      return true;
    });
    return std::uint64_t{0};
  });
  auto const export_as = [&](analysis::ExportFormat format) {
    std::uint64_t bytes = 0;
    (void)analysis::export_lines(**log, from, end, {.format = format, .filter = {}}, redactor,
                                 [&](std::string_view text) {
                                   bytes += text.size();
                                   return true;
                                 });
    return bytes;
  };
  double const jsonl_s = run("export --format jsonl", [&] { return export_as(analysis::ExportFormat::jsonl); });
  double const csv_s = run("export --format csv", [&] { return export_as(analysis::ExportFormat::csv); });
  std::uint64_t rows = 0;
  double const snapshot_s = run("snapshot (fold rows in memory)", [&] {
    (void)analysis::snapshot(
        **log, end, {},
        {.ticket = [&](views::TicketRow const&) { ++rows; }, .order = [&](views::OrderRow const&) { ++rows; }});
    return std::uint64_t{0};
  });
  std::printf("  (%llu tickets and orders in the snapshot)\n", static_cast<unsigned long long>(rows));
  double const figures_s = run("analytics figures", [&] {
    (void)analysis::figures(**log, end, {});
    return std::uint64_t{0};
  });
  std::printf("read-ahead: the walk takes %.2fx the time of one thread's\n", walk_s / one_thread_s);
  std::printf("ratios to the walk: jsonl %.2fx, csv %.2fx, snapshot %.2fx, analytics %.2fx\n", jsonl_s / walk_s,
              csv_s / walk_s, snapshot_s / walk_s, figures_s / walk_s);
  log->reset();
  if (!keep) std::filesystem::remove_all(dir);
  return 0;
}
