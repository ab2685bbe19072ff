// Write-side snapshots on one long stream: a user who signs in N times.
// Prints, with snapshots and without (the peer, in the same run, on the same
// disk): the rate of durable sign-ins as the stream grows, and the time to
// fold the stream with an empty cache (a command's first touch after a
// restart), with the ratio of each.
//   snapshot_bench [DIR] [SIGN_INS]    (default /tmp/ticketing-snapshot-bench, 10000)

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "application/marketplace.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "eventstore/snapshot_store.hpp"
#include "exit_on_error.hpp"

using namespace ticketing;
using ticketing::bench::ok;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Figures {
  double sign_ins_per_s{0};
  double last_tenth_per_s{0};  // the rate over the last tenth of the sign-ins (the longest stream)
  double cold_fold_ms{0};
};

// A fresh log (and snapshot store, when `snapshots`) under `dir`: signs one
// user up and in `sign_ins` times, durably, then folds the user with an
// empty cache, as the first command after a restart does.
Figures run(std::filesystem::path const& dir, int sign_ins, bool snapshots) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto log = ok(RocksDbLog::open({.path = (dir / "log").string(), .partitions = 16}), "log");
  std::unique_ptr<SnapshotStore> store;
  if (snapshots) store = ok(SnapshotStore::open((dir / "snapshots").string()), "snapshots");
  CommandRunnerOptions const options{.snapshots = store.get()};
  Email const email = *Email::parse("long.stream@example.com");
  Instant const at = from_millis(1'800'000'000'000);
  auto const context = [&](std::string id) { return CommandContext{std::move(id), CommitMeta{"c", "c", "", "", at}}; };

  Figures figures;
  {
    CommandRunner runner(*log, options);
    Marketplace marketplace(runner);
    ok(marketplace.execute(user::SignUp{"u1", email, "hash", "s0"}, context("up")), "sign up");
    auto const start = Clock::now();
    auto tenth = start;
    int const last_tenth = std::max(1, sign_ins / 10);
    for (int i = 1; i <= sign_ins; ++i) {
      if (i == sign_ins - last_tenth + 1) tenth = Clock::now();
      ok(marketplace.execute(user::SignIn{email, "s" + std::to_string(i), true}, context("in" + std::to_string(i))),
         "sign in");
    }
    figures.sign_ins_per_s = sign_ins / seconds_since(start);
    figures.last_tenth_per_s = last_tenth / seconds_since(tenth);
  }
  constexpr int kFolds = 20;
  auto const start = Clock::now();
  for (int i = 0; i < kFolds; ++i) {
    CommandRunner restarted(*log, options);
    ok(Marketplace(restarted).user(email), "fold");
  }
  figures.cold_fold_ms = seconds_since(start) * 1000 / kFolds;
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path const dir = argc > 1 ? argv[1] : "/tmp/ticketing-snapshot-bench";
  int const sign_ins = argc > 2 ? std::stoi(argv[2]) : 10'000;
  std::printf("one user, %d durable sign-ins, then a fold with an empty cache (mean of 20)\n", sign_ins);
  Figures const with = run(dir / "with", sign_ins, true);
  Figures const without = run(dir / "without", sign_ins, false);
  std::printf("%-20s %14s %18s %16s\n", "", "sign-ins/s", "last tenth /s", "cold fold ms");
  std::printf("%-20s %14.0f %18.0f %16.3f\n", "with snapshots", with.sign_ins_per_s, with.last_tenth_per_s,
              with.cold_fold_ms);
  std::printf("%-20s %14.0f %18.0f %16.3f\n", "without", without.sign_ins_per_s, without.last_tenth_per_s,
              without.cold_fold_ms);
  std::printf("ratio (with/without): sign-ins %.2fx, last tenth %.2fx; cold fold %.1fx faster\n",
              with.sign_ins_per_s / without.sign_ins_per_s, with.last_tenth_per_s / without.last_tenth_per_s,
              without.cold_fold_ms / with.cold_fold_ms);
  std::filesystem::remove_all(dir);
}
