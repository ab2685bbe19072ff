// The embedded log on a disk that returns damaged data: a read of a damaged
// block is an error, never a shorter log, and nothing is written over what
// the disk holds.

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "damaged_block.hpp"
#include "domain/ids.hpp"
#include "eventstore/codec.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "temp_dir.hpp"

using namespace ticketing;

namespace {

constexpr int kCommits = 200;  // enough for many data blocks in one partition

// Bytes only commit n's stored value holds (no key of any family has them).
std::string title_of(int n) { return "Title no. " + std::to_string(1000 + n) + " of the damaged-block test"; }

std::string ticket_of(int n) { return std::string(24 - std::to_string(n).size(), '0') + std::to_string(n); }

Commit numbered_commit(int n) {
  std::string const ticket = ticket_of(n);
  Commit c;
  c.commit_id = "commit-" + std::to_string(n);
  c.partition_key = ticket;
  c.expected = {{ticket_stream(ticket), kNoStream}};
  c.events.emplace_back(TicketCreated{ticket, "seller", title_of(n), Money{1000 + n}, Instant{}});
  return c;
}

void write_log(std::string const& path) {
  auto log = RocksDbLog::open({.path = path, .partitions = 1});
  REQUIRE(log.has_value());
  for (int n = 0; n < kCommits; ++n) REQUIRE((*log)->append(numbered_commit(n)).has_value());
}

std::vector<std::string> titles(std::vector<RecordedCommit> const& commits) {
  std::vector<std::string> out;
  for (auto const& c : commits) out.push_back(std::get<TicketCreated>(c.commit.events.at(0)).title);
  return out;
}

}  // namespace

TEST_CASE("a damaged block in the log's middle: reading it is an error, in every reader, and past it the log reads") {
  testing::TempDir dir;
  write_log(dir.str());
  testing::DamagedBlock damaged(dir.path(), title_of(50));
  {
    auto opened = RocksDbLog::open({.path = dir.str()});
    REQUIRE_MESSAGE(opened.has_value(), (opened ? "" : opened.error().message));
    auto& log = **opened;
    CHECK(log.end_offsets() == std::vector<std::uint64_t>{kCommits});

    auto const decoded = log.read_partition(0, 0, kCommits);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error().code == ErrorCode::unavailable);
    std::vector<StoredCommit> stored(3);
    auto const raw = log.read_partition_stored_into(0, 0, kCommits, stored);
    REQUIRE_FALSE(raw.has_value());
    CHECK(raw.error().code == ErrorCode::unavailable);
    CHECK(stored.size() < 50);  // what was read before the damage, no more

    // A stream whose commit is in the damaged block: an error, never an
    // empty stream (a decision would take the ticket for unlisted).
    auto const lost = log.read_stream(ticket_stream(ticket_of(50)), 0);
    REQUIRE_FALSE(lost.has_value());
    CHECK(lost.error().code == ErrorCode::unavailable);
    auto const intact = log.read_stream(ticket_stream(ticket_of(0)), 0);
    REQUIRE(intact.has_value());
    REQUIRE(intact->size() == 1);
    CHECK(std::get<TicketCreated>(intact->front().event).title == title_of(0));

    // The commits before and after the damaged block read as ever.
    auto const head = log.read_partition(0, 0, 10);
    REQUIRE(head.has_value());
    CHECK(titles(*head).front() == title_of(0));
    auto const tail = log.read_partition(0, kCommits - 10, 10);
    REQUIRE(tail.has_value());
    CHECK(titles(*tail).back() == title_of(kCommits - 1));

    // An append lands after the last commit, not over any.
    auto const appended = log.append(numbered_commit(kCommits));
    REQUIRE(appended.has_value());
    CHECK(log.end_offsets() == std::vector<std::uint64_t>{kCommits + 1});
  }
  damaged.repair();
  auto reopened = RocksDbLog::open({.path = dir.str()});
  REQUIRE(reopened.has_value());
  auto const all = (*reopened)->read_partition(0, 0, kCommits + 10);
  REQUIRE(all.has_value());
  REQUIRE(all->size() == kCommits + 1);
  for (int n = 0; n <= kCommits; ++n) CHECK(titles(*all)[static_cast<std::size_t>(n)] == title_of(n));
}

TEST_CASE("a damaged last block: the log does not open (never as an empty log written over), and opens once repaired") {
  testing::TempDir dir;
  write_log(dir.str());
  {
    testing::DamagedBlock damaged(dir.path(), title_of(kCommits - 1));
    auto opened = RocksDbLog::open({.path = dir.str()});
    REQUIRE_FALSE(opened.has_value());
    CHECK(opened.error().code == ErrorCode::unavailable);
    CHECK(opened.error().message.find("event log storage") != std::string::npos);
    damaged.repair();
  }
  auto reopened = RocksDbLog::open({.path = dir.str()});
  REQUIRE(reopened.has_value());
  auto& log = **reopened;
  REQUIRE(log.append(numbered_commit(kCommits)).has_value());
  auto const all = log.read_partition(0, 0, kCommits + 10);
  REQUIRE(all.has_value());
  REQUIRE(all->size() == kCommits + 1);
  CHECK(titles(*all).front() == title_of(0));
  CHECK(titles(*all).back() == title_of(kCommits));
}
