#include "eventstore/rocksdb_log.hpp"

#include <thread>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "domain/ids.hpp"
#include "eventstore/codec.hpp"
#include "eventually.hpp"
#include "failing_disk.hpp"
#include "temp_dir.hpp"

TEST_CASE("the partition count is fixed when the log is created") {
  ticketing::testing::TempDir dir;
  {
    auto log = ticketing::RocksDbLog::open({.path = dir.str(), .partitions = 3});
    REQUIRE(log.has_value());
    CHECK((*log)->partition_count() == 3);
  }
  auto reopened = ticketing::RocksDbLog::open({.path = dir.str(), .partitions = 8});
  REQUIRE(reopened.has_value());
  CHECK((*reopened)->partition_count() == 3);
}

TEST_CASE("a log directory held by another process is unavailable, not a crash") {
  ticketing::testing::TempDir dir;
  auto first = ticketing::RocksDbLog::open({.path = dir.str()});
  REQUIRE(first.has_value());
  auto second = ticketing::RocksDbLog::open({.path = dir.str()});
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == ticketing::ErrorCode::unavailable);
}

namespace {

using ticketing::Commit;
ticketing::Instant const t0 = *ticketing::parse_iso8601("2026-11-21T10:00:00.000Z");

// A commit creating (expected: no stream) or changing ticket n.
Commit ticket_commit(std::string id, int n, std::int64_t expected) {
  using namespace ticketing;
  std::string const ticket = std::string(24 - std::to_string(n).size(), '0') + std::to_string(n);
  Commit c;
  c.commit_id = std::move(id);
  c.partition_key = ticket;
  c.expected = {{ticket_stream(ticket), expected}};
  if (expected == kNoStream) {
    c.events.emplace_back(TicketCreated{ticket, "seller", "Show", Money{1000 + n}, t0});
  } else {
    c.events.emplace_back(TicketUpdated{ticket, "Show", Money{2000 + n}, Money{1000 + n}, t0});
  }
  c.meta.recorded_at = t0;
  return c;
}

// What read_partition answers, as comparable lines.
std::vector<std::string> read_all(ticketing::EventLog& log, std::uint32_t partition, std::uint64_t from,
                                  std::size_t max) {
  auto commits = log.read_partition(partition, from, max);
  REQUIRE(commits.has_value());
  std::vector<std::string> out;
  for (auto const& c : *commits) {
    out.push_back(std::to_string(c.position.partition) + "/" + std::to_string(c.position.offset) + " " +
                  ticketing::encode_commit(c.commit));
  }
  return out;
}

}  // namespace

TEST_CASE("new commits read back while the log runs are the commits a reopened log reads from disk") {
  // Readers that keep up are answered from the commits the committer just
  // made durable, held decoded; after a reopen the same reads go to disk.
  // Both must give the same commits: positions, events, and the recorded
  // time the log stored (restamped when an appender's clock was behind).
  using namespace ticketing;
  testing::TempDir dir;
  constexpr int kTickets = 1500;  // about 750 commits per partition, two rounds: more than are held
  std::vector<std::tuple<std::uint32_t, std::uint64_t, std::size_t>> reads;
  std::vector<std::vector<std::string>> live;
  {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
    REQUIRE(log.has_value());
    for (int round = 0; round < 2; ++round) {
      for (int n = 0; n < kTickets; ++n) {
        Commit c = ticket_commit("c" + std::to_string(round) + "-" + std::to_string(n), n, round == 0 ? kNoStream : 0);
        // Every seventh appender's clock is behind the log's last commit.
        c.meta.recorded_at = t0 + std::chrono::milliseconds(n % 7 == 0 ? n - 500 : n + 10000 * round);
        REQUIRE((*log)->append(std::move(c)).has_value());
      }
    }
    auto const ends = (*log)->end_offsets();
    for (std::uint32_t p = 0; p < 2; ++p) {
      REQUIRE(ends[p] > 1100);
      for (std::uint64_t from : {std::uint64_t{0}, ends[p] - 1100, ends[p] - 1024, ends[p] - 1023, ends[p] - 700,
                                 ends[p] - 1, ends[p], ends[p] + 5}) {
        for (std::size_t max : {std::size_t{1}, std::size_t{3}, std::size_t{512}, std::size_t{5000}}) {
          reads.emplace_back(p, from, max);
          live.push_back(read_all(**log, p, from, max));
        }
      }
    }
  }
  auto reopened = RocksDbLog::open({.path = dir.str(), .partitions = 2});
  REQUIRE(reopened.has_value());
  for (std::size_t i = 0; i < reads.size(); ++i) {
    auto const [p, from, max] = reads[i];
    auto const disk = read_all(**reopened, p, from, max);
    CHECK_MESSAGE(disk == live[i], "partition " << p << " from " << from << " max " << max);
  }
  // The late appenders' commits were restamped: no partition's time goes back.
  for (std::uint32_t p = 0; p < 2; ++p) {
    auto const all = (*reopened)->read_partition(p, 0, 100000);
    REQUIRE(all.has_value());
    for (std::size_t i = 1; i < all->size(); ++i) {
      CHECK((*all)[i].commit.meta.recorded_at >= (*all)[i - 1].commit.meta.recorded_at);
    }
  }
}

TEST_CASE("a replica's new commits, at the external log's offsets with gaps, read back as from disk") {
  // Kafka offsets skip (transaction markers, refused duplicates): reads from
  // an offset inside a gap start at the next commit, while the log runs and
  // after a reopen alike.
  using namespace ticketing;
  testing::TempDir dir;
  std::vector<std::uint64_t> const offsets = {2, 3, 7, 8, 9, 15, 40};
  std::vector<std::vector<std::string>> live;
  {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 1, .replica = true});
    REQUIRE(log.has_value());
    std::vector<ReplicatedRecord> records;
    int accepted = 0;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      Commit c = ticket_commit("r" + std::to_string(i), static_cast<int>(i), kNoStream);
      std::string encoded = encode_commit(c);
      records.push_back(ReplicatedRecord{std::move(c), std::move(encoded), Position{0, offsets[i]},
                                         [&](Result<AppendResult> r) { accepted += r ? 1 : 0; }});
    }
    (*log)->apply_replicated(std::move(records), {{0, 41}});
    REQUIRE(accepted == static_cast<int>(offsets.size()));
    for (std::uint64_t from = 0; from <= 42; ++from) {
      for (std::size_t max : {std::size_t{1}, std::size_t{2}, std::size_t{100}})
        live.push_back(read_all(**log, 0, from, max));
    }
  }
  auto reopened = RocksDbLog::open({.path = dir.str(), .partitions = 1, .replica = true});
  REQUIRE(reopened.has_value());
  std::size_t i = 0;
  for (std::uint64_t from = 0; from <= 42; ++from) {
    for (std::size_t max : {std::size_t{1}, std::size_t{2}, std::size_t{100}}) {
      CHECK_MESSAGE(read_all(**reopened, 0, from, max) == live[i++], "from " << from << " max " << max);
    }
  }
  CHECK(read_all(**reopened, 0, 4, 1) ==
        std::vector<std::string>{"0/7 " + encode_commit(ticket_commit("r2", 2, kNoStream))});
}

TEST_CASE("streams whose names extend one another are told apart on disk and in memory") {
  // The stream index is filtered by stream (its key's prefix): a stream must
  // see its own events only, never a longer-named neighbour's, whether its
  // events sit in files written before a reopen, in memory, or both.
  using namespace ticketing;
  testing::TempDir dir;
  auto const commit = [](std::string id, std::string const& stream, std::int64_t expected) {
    Commit c;
    c.commit_id = std::move(id);
    c.partition_key = stream;
    c.expected = {{stream, expected}};
    c.events.emplace_back(UserSignedIn{"u1", stream.substr(5), "s1", t0});  // "user-" + e-mail
    c.meta.recorded_at = t0;
    return c;
  };
  std::vector<std::string> const streams = {"user-a@x.io", "user-a@x.io1", "user-a@x.io12", "user-b@x.io"};
  {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
    REQUIRE(log.has_value());
    for (std::size_t i = 0; i < streams.size(); ++i) {
      for (std::size_t v = 0; v <= i; ++v) {
        auto const expected = v == 0 ? kNoStream : static_cast<std::int64_t>(v) - 1;
        REQUIRE((*log)->append(commit(streams[i] + std::to_string(v), streams[i], expected)).has_value());
      }
    }
  }  // closed: the index is written to files
  auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
  REQUIRE(log.has_value());
  // One more event each, now in memory beside the files.
  for (std::size_t i = 0; i < streams.size(); ++i) {
    REQUIRE((*log)->append(commit(streams[i] + "+", streams[i], static_cast<std::int64_t>(i))).has_value());
  }
  for (std::size_t i = 0; i < streams.size(); ++i) {
    CHECK((*log)->stream_version(streams[i]).value() == static_cast<std::int64_t>(i) + 1);
    auto events = (*log)->read_stream(streams[i], 0);
    REQUIRE(events.has_value());
    CHECK(events->size() == i + 2);
    for (auto const& e : *events) CHECK(e.stream == streams[i]);
  }
  for (std::string const absent : {"user-a@x.i", "user-a@x.io123", "user-", "user-c@x.io"}) {
    CHECK((*log)->stream_version(absent).value() == kNoStream);
    CHECK((*log)->read_stream(absent, 0).value().empty());
  }
}

TEST_CASE("the stream heads held in memory are bounded, and validation is as strict past the bound") {
  // Each stream's current version is what a commit's expected versions are
  // checked against. Past the bound, heads are dropped and read again from
  // the stream index: a stale expectation is still refused, a right one
  // still accepted, a taken stream still known to exist.
  using namespace ticketing;
  testing::TempDir dir;
  auto log = RocksDbLog::open({.path = dir.str(), .partitions = 4, .max_cached_heads = 16});
  REQUIRE(log.has_value());
  constexpr int kStreams = 200;
  for (int n = 0; n < kStreams; ++n) {
    REQUIRE((*log)->append(ticket_commit("new" + std::to_string(n), n, kNoStream)).has_value());
    CHECK((*log)->cached_heads() <= 16);
  }
  for (int n = 0; n < kStreams; ++n) {
    auto again = (*log)->append(ticket_commit("again" + std::to_string(n), n, kNoStream));
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().code == ErrorCode::conflict);
    REQUIRE((*log)->append(ticket_commit("change" + std::to_string(n), n, 0)).has_value());
    auto stale = (*log)->append(ticket_commit("stale" + std::to_string(n), n, 0));
    REQUIRE_FALSE(stale.has_value());
    CHECK(stale.error().code == ErrorCode::conflict);
  }
  CHECK((*log)->cached_heads() <= 16);
  CHECK((*log)->cached_heads() > 0);
  for (int n = 0; n < kStreams; n += 37) {
    std::string const ticket = std::string(24 - std::to_string(n).size(), '0') + std::to_string(n);
    CHECK((*log)->stream_version(ticket_stream(ticket)).value() == 1);
  }
}

TEST_CASE("a failed WAL sync stops the log's writes: nothing it covered is acknowledged or seen, until a restart") {
  using namespace ticketing;
  testing::TempDir dir;
  testing::FailingDisk disk;
  std::string const second_stream = ticket_stream(std::string(23, '0') + "2");
  {
    auto opened = RocksDbLog::open(
        {.path = dir.str(), .partitions = 1, .sync_wait = std::chrono::milliseconds(200), .env = disk.env()});
    REQUIRE(opened.has_value());
    auto& log = **opened;
    REQUIRE(log.append(ticket_commit("c1", 1, kNoStream)).has_value());
    CHECK(log.fault().empty());

    disk.fail_wal_syncs(true);
    auto const failed = log.append(ticket_commit("c2", 2, kNoStream));
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == ErrorCode::unavailable);
    CHECK(disk.failed_syncs() >= 1);
    // Written but not durable: no reader sees it, and a stream read does not
    // answer with it (it waits for the sync, then gives up).
    CHECK(log.end_offsets() == std::vector<std::uint64_t>{1});
    CHECK(read_all(log, 0, 0, 10).size() == 1);
    CHECK_FALSE(log.find_commit("c2")->has_value());
    auto const stream = log.read_stream(second_stream, 0);
    REQUIRE_FALSE(stream.has_value());
    CHECK(stream.error().code == ErrorCode::unavailable);

    // The disk answers again, but what the failed sync covered cannot be
    // vouched for: the log refuses appends (a retry too) and says why.
    disk.fail_wal_syncs(false);
    auto const retried = log.append(ticket_commit("c2", 2, kNoStream));
    REQUIRE_FALSE(retried.has_value());
    CHECK(retried.error().code == ErrorCode::unavailable);
    CHECK_FALSE(log.append(ticket_commit("c3", 1, 0)).has_value());
    CHECK(log.fault().find("restart") != std::string::npos);
    CHECK(read_all(log, 0, 0, 10).size() == 1);
  }
  // Restarted: the log is what the disk holds (the commit answered with an
  // error may be there, once), and takes appends again.
  auto reopened = RocksDbLog::open({.path = dir.str()});
  REQUIRE(reopened.has_value());
  auto& log = **reopened;
  CHECK(log.fault().empty());
  auto const retried = log.append(ticket_commit("c2", 2, kNoStream));
  REQUIRE_MESSAGE(retried.has_value(), (retried ? "" : retried.error().message));
  REQUIRE(log.append(ticket_commit("c3", 1, 0)).has_value());
  auto const lines = read_all(log, 0, 0, 10);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].find("\"c1\"") != std::string::npos);
  CHECK(lines[1].find("\"c2\"") != std::string::npos);
  CHECK(lines[2].find("\"c3\"") != std::string::npos);
}

TEST_CASE("a slow WAL sync: a stream read that finds the written commit answers only once it is synced") {
  using namespace ticketing;
  testing::TempDir dir;
  testing::FailingDisk disk;
  auto opened = RocksDbLog::open({.path = dir.str(), .partitions = 1, .env = disk.env()});
  REQUIRE(opened.has_value());
  auto& log = **opened;
  REQUIRE(log.append(ticket_commit("c1", 1, kNoStream)).has_value());
  std::string const stream = ticket_stream(std::string(23, '0') + "1");

  disk.slow_wal_syncs(std::chrono::milliseconds(300));
  std::thread appender([&] { CHECK(log.append(ticket_commit("c2", 1, 0)).has_value()); });
  // Written (the committer validates the next commit against it) long before
  // its sync ends.
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (log.stream_version(stream).value() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  REQUIRE(log.stream_version(stream).value() == 1);
  auto const read = log.read_stream(stream, 0);
  REQUIRE(read.has_value());
  // Answered with the new event only once it is published, i.e. synced.
  REQUIRE(read->size() == 2);
  CHECK(log.end_offsets() == std::vector<std::uint64_t>{2});
  appender.join();
  disk.slow_wal_syncs(std::chrono::milliseconds(0));
}

namespace {

// Every family of a log directory opened with RocksDB's own defaults but
// `style` of compaction, each compacted whole, as an earlier release (whose
// families were leveled) or RocksDB itself would leave them. Returns the
// levels the commits family's files are in afterwards.
std::vector<int> compact_directly(std::string const& path, rocksdb::CompactionStyle style) {
  rocksdb::ColumnFamilyOptions family;
  family.compaction_style = style;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (std::string name :
       {rocksdb::kDefaultColumnFamilyName, std::string("commits"), std::string("streams"), std::string("dedup")}) {
    families.emplace_back(name, family);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (auto* handle : handles) REQUIRE(db->CompactRange(rocksdb::CompactRangeOptions(), handle, nullptr, nullptr).ok());
  rocksdb::ColumnFamilyMetaData commits;
  db->GetColumnFamilyMetaData(handles[1], &commits);
  std::vector<int> levels;
  for (auto const& level : commits.levels) {
    if (!level.files.empty()) levels.push_back(level.level);
  }
  for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  return levels;
}

// Every commit of the log's partitions, as comparable lines.
std::vector<std::string> whole_log(ticketing::EventLog& log) {
  std::vector<std::string> out;
  for (std::uint32_t p = 0; p < log.partition_count(); ++p) {
    auto const part = read_all(log, p, 0, 100000);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

}  // namespace

TEST_CASE("a log whose files were compacted leveled opens, reads, appends and compacts as it did") {
  // The log's families use tiered (universal) compaction; logs written by
  // earlier releases hold leveled files (L1 and below). Such a log must read
  // back whole, take new commits on its streams, know its commit ids, and
  // survive a merge of its leveled runs with new ones.
  using namespace ticketing;
  testing::TempDir dir;
  constexpr int kTickets = 100;
  {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
    REQUIRE(log.has_value());
    for (int n = 0; n < kTickets; ++n)
      REQUIRE((*log)->append(ticket_commit("create-" + std::to_string(n), n, kNoStream)).has_value());
  }
  auto const leveled = compact_directly(dir.str(), rocksdb::kCompactionStyleLevel);
  REQUIRE_FALSE(leveled.empty());
  CHECK(leveled.front() >= 1);  // below L0: where leveled compaction leaves a log's files
  std::vector<std::string> before;
  {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
    REQUIRE(log.has_value());
    CHECK(whole_log(**log).size() == kTickets);
    for (int n = 0; n < kTickets; ++n) {
      auto const stream = ticket_stream(std::string(24 - std::to_string(n).size(), '0') + std::to_string(n));
      auto const version = (*log)->stream_version(stream);
      REQUIRE(version.has_value());
      REQUIRE(*version == 0);
      REQUIRE((*log)->append(ticket_commit("update-" + std::to_string(n), n, 0)).has_value());
    }
    auto const again = (*log)->append(ticket_commit("create-7", 7, kNoStream));
    REQUIRE(again.has_value());
    CHECK(again->duplicate);  // the leveled dedup family still knows its ids
    before = whole_log(**log);
    CHECK(before.size() == 2 * kTickets);
  }
  CHECK_FALSE(compact_directly(dir.str(), rocksdb::kCompactionStyleUniversal).empty());
  auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
  REQUIRE(log.has_value());
  CHECK(whole_log(**log) == before);
  auto const stream = ticket_stream(std::string(22, '0') + "42");
  auto const events = (*log)->read_stream(stream, 0);
  REQUIRE(events.has_value());
  CHECK(events->size() == 2);
  auto const duplicate = (*log)->append(ticket_commit("update-42", 42, 0));
  REQUIRE(duplicate.has_value());
  CHECK(duplicate->duplicate);
}

namespace {

// Appends commits of 64 KiB each (a few hundred fill a memtable, whose flush
// then writes a table file) until one is refused or `max` are acknowledged.
struct Filled {
  std::vector<std::string> acknowledged;
  std::optional<ticketing::Error> refusal;
  std::string refused_id;
};
Filled append_until_refused(ticketing::RocksDbLog& log, std::string const& prefix, int max = 2000) {
  using namespace ticketing;
  Filled out;
  for (int n = 0; n < max && !out.refusal; ++n) {
    std::string id = prefix + std::to_string(n);
    Commit c = ticket_commit(id, n, kNoStream);
    std::get<TicketCreated>(c.events[0]).title = std::string(std::size_t{64} << 10, 'x');
    if (auto const r = log.append(c); r) {
      out.acknowledged.push_back(std::move(id));
    } else {
      out.refusal = r.error();
      out.refused_id = std::move(id);
    }
  }
  return out;
}

// Every acknowledged commit is in the log, the refused one is not, and the
// log holds nothing else.
void check_holds_exactly(ticketing::RocksDbLog& log, std::vector<std::string> const& acknowledged,
                         std::string const& refused) {
  std::uint64_t stored = 0;
  for (auto const end : log.end_offsets()) stored += end;
  CHECK(stored == acknowledged.size());
  for (auto const& id : acknowledged) {
    auto const found = log.find_commit(id);
    REQUIRE(found.has_value());
    CHECK_MESSAGE(found->has_value(), id);
  }
  auto const absent = log.find_commit(refused);
  REQUIRE(absent.has_value());
  CHECK_FALSE(absent->has_value());
}

}  // namespace

TEST_CASE(
    "a disk full under a flush: appends are refused while it is, fault() says why, and the log recovers by itself") {
  // RocksDB stops its writes when a flush cannot write its table file; on a
  // full disk it retries by itself. Nothing acknowledged may be lost and
  // nothing refused may appear, before or after a restart.
  using namespace ticketing;
  testing::TempDir dir;
  testing::FailingDisk disk;
  std::vector<std::string> acknowledged;
  {
    auto opened = RocksDbLog::open({.path = dir.str(), .partitions = 2, .env = disk.env()});
    REQUIRE(opened.has_value());
    auto& log = **opened;
    disk.fail_table_writes(testing::FailingDisk::TableFault::no_space);
    auto filled = append_until_refused(log, "full-");
    REQUIRE(filled.refusal.has_value());
    CHECK(filled.refusal->code == ErrorCode::unavailable);
    CHECK(disk.failed_table_writes() >= 1);
    CHECK_FALSE(filled.acknowledged.empty());
    CHECK(log.fault().find("disk is full") != std::string::npos);
    // Still full: refused again, and what was acknowledged reads back.
    CHECK_FALSE(log.append(ticket_commit("while-full", 5000, kNoStream)).has_value());
    check_holds_exactly(log, filled.acknowledged, filled.refused_id);
    CHECK_FALSE(log.find_commit("while-full")->has_value());

    // Room again: RocksDB's retry writes the table file, the fault ends
    // without an append, and appends are taken.
    disk.fail_table_writes(testing::FailingDisk::TableFault::none);
    REQUIRE(testing::eventually([&] { return log.fault().empty(); }));
    auto const after = log.append(ticket_commit("after", 5001, kNoStream));
    REQUIRE_MESSAGE(after.has_value(), (after ? "" : after.error().message));
    acknowledged = filled.acknowledged;
    acknowledged.push_back("after");
    check_holds_exactly(log, acknowledged, filled.refused_id);
  }
  auto reopened = RocksDbLog::open({.path = dir.str()});
  REQUIRE(reopened.has_value());
  check_holds_exactly(**reopened, acknowledged, "while-full");
}

TEST_CASE("a disk that fails a flush's write: appends are refused until a restart, and nothing acknowledged is lost") {
  using namespace ticketing;
  testing::TempDir dir;
  testing::FailingDisk disk;
  Filled filled;
  {
    auto opened = RocksDbLog::open({.path = dir.str(), .partitions = 2, .env = disk.env()});
    REQUIRE(opened.has_value());
    auto& log = **opened;
    disk.fail_table_writes(testing::FailingDisk::TableFault::io_error);
    filled = append_until_refused(log, "broken-");
    REQUIRE(filled.refusal.has_value());
    CHECK(filled.refusal->code == ErrorCode::unavailable);
    CHECK(disk.failed_table_writes() >= 1);
    CHECK(log.fault().find("failed a write") != std::string::npos);
    // The disk answers again, but RocksDB does not resume after such an
    // error by itself: refused, and said so, until a restart.
    disk.fail_table_writes(testing::FailingDisk::TableFault::none);
    CHECK_FALSE(log.append(ticket_commit("after-error", 5000, kNoStream)).has_value());
    CHECK_FALSE(log.fault().empty());
    check_holds_exactly(log, filled.acknowledged, filled.refused_id);
  }
  // Restarted (the memtables' contents come back from the WAL): whole,
  // without the refused commits, and taking appends.
  auto reopened = RocksDbLog::open({.path = dir.str()});
  REQUIRE(reopened.has_value());
  auto& log = **reopened;
  CHECK(log.fault().empty());
  check_holds_exactly(log, filled.acknowledged, filled.refused_id);
  CHECK_FALSE(log.find_commit("after-error")->has_value());
  REQUIRE(log.append(ticket_commit("after-restart", 5001, kNoStream)).has_value());
}

TEST_CASE("a log stored in JSON, as before the binary encoding, reads on and takes new commits beside them") {
  // The log is written, then every stored commit is rewritten as its JSON
  // (what an earlier version of the log stored), then reopened: every reader
  // gives what it gave before, and new commits land in binary beside the old.
  using namespace ticketing;
  testing::TempDir dir;
  constexpr int kTickets = 40;
  std::vector<std::string> before;
  {
    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
    REQUIRE(log.has_value());
    for (int n = 0; n < kTickets; ++n) {
      REQUIRE((*log)->append(ticket_commit("c" + std::to_string(n), n, kNoStream)).has_value());
    }
    for (std::uint32_t p = 0; p < 2; ++p) {
      for (auto& line : read_all(**log, p, 0, 1000)) before.push_back(std::move(line));
    }
  }
  int rewritten = 0;
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::Options(), dir.str(), &names).ok());
    for (auto const& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), dir.str(), families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    auto const commits = static_cast<std::size_t>(std::find(names.begin(), names.end(), "commits") - names.begin());
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[commits]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto const decoded = decode_commit(it->value().ToStringView());
      REQUIRE(decoded.has_value());
      CHECK(it->value().ToStringView() == encode_stored_commit(*decoded));  // written in binary
      REQUIRE(db->Put(rocksdb::WriteOptions(), handles[commits], it->key(), encode_commit(*decoded)).ok());
      ++rewritten;
    }
    it.reset();
    for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  CHECK(rewritten == kTickets);
  auto log = RocksDbLog::open({.path = dir.str(), .partitions = 2});
  REQUIRE(log.has_value());
  std::vector<std::string> after;
  for (std::uint32_t p = 0; p < 2; ++p) {
    for (auto& line : read_all(**log, p, 0, 1000)) after.push_back(std::move(line));
  }
  CHECK(after == before);
  // Stream reads, the duplicate check and new commits, over the old entries.
  std::string const ticket = std::string(23, '0') + "7";
  auto const stream = (*log)->read_stream(ticket_stream(ticket), 0);
  REQUIRE(stream.has_value());
  REQUIRE(stream->size() == 1);
  CHECK(std::get<TicketCreated>(stream->front().event).ticket_id == ticket);
  auto const repeat = (*log)->append(ticket_commit("c7", 7, kNoStream));
  REQUIRE(repeat.has_value());
  CHECK(repeat->duplicate);
  auto const next = (*log)->append(ticket_commit("u7", 7, 0));
  REQUIRE(next.has_value());
  CHECK_FALSE(next->duplicate);
  auto const mixed = (*log)->read_partition(next->position.partition, 0, 1000);
  REQUIRE(mixed.has_value());
  CHECK(mixed->back().commit.commit_id == "u7");
  auto const stored = (*log)->read_partition_stored(next->position.partition, 0, 1000);
  REQUIRE(stored.has_value());
  REQUIRE(stored->size() == mixed->size());
  CHECK(stored->front().encoded.front() == '{');
  CHECK(stored->back().encoded == encode_stored_commit(mixed->back().commit));
}
