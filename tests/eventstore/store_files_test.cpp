// What a database keeps on disk besides its data stays bounded however often
// the server restarts: WAL files of earlier runs (RocksDB keeps them, even
// empty, until a memtable is switched) and RocksDB's diagnostic logs.

#include "eventstore/store_files.hpp"

#include <filesystem>

#include <doctest/doctest.h>

#include "domain/ids.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "eventstore/small_store.hpp"
#include "eventually.hpp"
#include "failing_disk.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using namespace std::chrono_literals;

namespace {

std::size_t files_named(std::filesystem::path const& dir, std::string_view part) {
  std::size_t n = 0;
  for (auto const& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().find(part) != std::string::npos) ++n;
  }
  return n;
}

// A commit creating ticket n.
Commit created(int n) {
  std::string const ticket = std::string(24 - std::to_string(n).size(), '0') + std::to_string(n);
  Commit c;
  c.commit_id = "create-" + std::to_string(n);
  c.partition_key = ticket;
  c.expected = {{ticket_stream(ticket), kNoStream}};
  c.events.emplace_back(TicketCreated{ticket, "seller", "Show", Money{1000}, from_millis(1'800'000'000'000)});
  c.meta.recorded_at = from_millis(1'800'000'000'000);
  return c;
}

}  // namespace

TEST_CASE("a log restarted again and again keeps a bounded number of WAL files and diagnostic logs, and every commit") {
  testing::TempDir dir;
  std::size_t most_wal_files = 0;
  for (int start = 0; start < 12; ++start) {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
    REQUIRE(log.has_value());
    if (start == 0 || start == 11) REQUIRE((*log)->append(created(start)).has_value());  // the others write nothing
    most_wal_files = std::max(most_wal_files, files_named(dir.path(), ".log"));
  }
  // The open that finds too many starts a flush it does not wait for, which
  // starts a WAL file of its own before the spent ones go: two more at most,
  // for a moment (twelve without the bound).
  CHECK(most_wal_files <= kMaxWalFiles + 2);
  CHECK(files_named(dir.path(), "LOG.old") <= 4);
  auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
  REQUIRE(log.has_value());
  for (int start : {0, 11}) {
    auto const found = (*log)->find_commit("create-" + std::to_string(start));
    REQUIRE(found.has_value());
    CHECK(found->has_value());
  }
}

TEST_CASE("a small store restarted again and again keeps a bounded number of WAL files, and what it stored") {
  testing::TempDir dir;
  Instant const t0 = from_millis(1'800'000'000'000);
  std::size_t most_wal_files = 0;
  for (int start = 0; start < 12; ++start) {
    auto store = ExpiringStore::open(dir.str(), "replies", 24h);
    REQUIRE(store.has_value());
    if (start == 0) REQUIRE((*store)->store("k", "first", t0).has_value());
    most_wal_files = std::max(most_wal_files, files_named(dir.path(), ".log"));
  }
  CHECK(most_wal_files <= kMaxWalFiles + 2);
  CHECK(files_named(dir.path(), "LOG.old") <= 4);
  auto store = ExpiringStore::open(dir.str(), "replies", 24h);
  REQUIRE(store.has_value());
  CHECK((*store)->find("k", t0 + 1h) == "first");
}

TEST_CASE("spent WAL files on a full disk: the log still opens with everything, and they go once there is room") {
  // Dropping spent WAL files is housekeeping: a disk too full for the flush
  // it starts must not keep the log from opening, nor lose a commit.
  testing::TempDir dir;
  testing::FailingDisk disk;
  disk.fail_table_writes(testing::FailingDisk::TableFault::no_space);
  for (int start = 0; start < 8; ++start) {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2, .env = disk.env()});
    REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
    if (start == 0) REQUIRE((*log)->append(created(0)).has_value());
    auto const found = (*log)->find_commit("create-0");
    REQUIRE(found.has_value());
    CHECK(found->has_value());
  }
  CHECK(disk.failed_table_writes() >= 1);                     // the flushes met the full disk
  CHECK(files_named(dir.path(), ".log") > kMaxWalFiles + 2);  // kept: nothing could be flushed

  // The disk refuses even the WAL's appends: the marker's write fails. The
  // log still opens and reads; its own appends meet the fault and say so.
  disk.fail_wal_writes(true);
  {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2, .env = disk.env()});
    REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
    CHECK((*log)->find_commit("create-0")->has_value());
    CHECK_FALSE((*log)->append(created(1)).has_value());
    CHECK_FALSE((*log)->fault().empty());
  }
  disk.fail_wal_writes(false);

  disk.fail_table_writes(testing::FailingDisk::TableFault::none);
  {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2, .env = disk.env()});
    REQUIRE(log.has_value());
    CHECK(testing::eventually([&] { return files_named(dir.path(), ".log") <= kMaxWalFiles + 2; }));
  }
  auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
  REQUIRE(log.has_value());
  auto const found = (*log)->find_commit("create-0");
  REQUIRE(found.has_value());
  CHECK(found->has_value());
}
