// What the projector does when the read models' disk fails under it: it says
// so (fault(), which /readyz reports), keeps what it had answering, retries,
// and once the store can be written again (by RocksDB's own recovery after a
// full disk, or a restart after any other failure) catches up with the log:
// every commit applied once, the read models what a rebuild makes of the log.

#include <doctest/doctest.h>

#include "failing_disk.hpp"
#include "marketplace_fixture.hpp"
#include "projections/projector.hpp"

using namespace ticketing;
using namespace ticketing::testing;

namespace {

std::string views_path(MarketplaceFixture const& f) { return (f.dir.path() / "views").string(); }

// Lists ticket n with a 64 KiB title straight into the log (the domain caps
// titles; the read models do not): a few dozen fill the views' memtable,
// whose flush then writes a table file.
void list_large(MarketplaceFixture& f, int n) {
  std::string const ticket = MarketplaceFixture::ticket_id(n);
  Commit commit;
  commit.commit_id = "large-" + std::to_string(n);
  commit.partition_key = ticket;
  commit.expected = {{ticket_stream(ticket), kNoStream}};
  commit.events.emplace_back(
      TicketCreated{ticket, "seller", std::string(std::size_t{64} << 10, 't'), Money{1000 + n}, f.clock.now()});
  commit.meta.recorded_at = f.clock.now();
  REQUIRE(f.log->append(commit).has_value());
}

// The read models a rebuild makes of the log, next to the live ones.
void check_equals_rebuild(MarketplaceFixture& f, views::ViewStore const& live) {
  std::string const rebuilt_path = (f.dir.path() / "views-rebuilt").string();
  REQUIRE(views::rebuild(*f.log, rebuilt_path).has_value());
  auto rebuilt = views::ViewStore::open(rebuilt_path, f.log->partition_count());
  REQUIRE(rebuilt.has_value());
  auto const expected = (*rebuilt)->dump();
  auto const actual = live.dump();
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO("key " << i);
    CHECK(actual[i] == expected[i]);
  }
}

}  // namespace

TEST_CASE("the read models' disk fails a write: the projector says so and retries; a restart catches up") {
  MarketplaceFixture f;
  FailingDisk disk;
  {
    auto store = views::ViewStore::open(views_path(f), f.log->partition_count(), disk.env());
    REQUIRE(store.has_value());
    views::Projector projector(*f.log, **store);
    projector.start();
    for (int n = 0; n < 5; ++n) f.list(MarketplaceFixture::ticket_id(n));
    REQUIRE(eventually([&] { return projector.lag() == 0; }));
    CHECK(projector.fault().empty());

    disk.fail_wal_writes(true);
    for (int n = 5; n < 10; ++n) f.list(MarketplaceFixture::ticket_id(n));  // the log's own disk is healthy
    REQUIRE(eventually([&] { return !projector.fault().empty(); }));
    CHECK(projector.lag() > 0);
    // What was applied still answers; what was not is not shown half-done.
    CHECK((*store)->ticket(MarketplaceFixture::ticket_id(0)).has_value());
    CHECK_FALSE((*store)->ticket(MarketplaceFixture::ticket_id(9)).has_value());
    auto const stuck = projector.applied();

    // The disk answers again, but RocksDB does not resume after a failed
    // write of its WAL by itself: the projector keeps saying so, and has
    // applied nothing meanwhile (no commit skipped).
    disk.fail_wal_writes(false);
    CHECK_FALSE(projector.fault().empty());
    CHECK(projector.applied() == stuck);
    projector.stop();
  }
  // Restarted: from the checkpoints on disk, every commit once.
  auto store = views::ViewStore::open(views_path(f), f.log->partition_count());
  REQUIRE(store.has_value());
  views::Projector projector(*f.log, **store);
  projector.start();
  REQUIRE(eventually([&] { return projector.lag() == 0; }));
  CHECK(projector.fault().empty());
  for (int n = 0; n < 10; ++n) CHECK((*store)->ticket(MarketplaceFixture::ticket_id(n)).has_value());
  projector.stop();
  check_equals_rebuild(f, **store);
}

TEST_CASE("the read models' disk fills up under a flush: the projector says so, then catches up by itself") {
  MarketplaceFixture f;
  FailingDisk disk;
  auto store = views::ViewStore::open(views_path(f), f.log->partition_count(), disk.env());
  REQUIRE(store.has_value());
  views::Projector projector(*f.log, **store);
  projector.start();

  disk.fail_table_writes(FailingDisk::TableFault::no_space);
  int listed = 0;
  while (listed < 1000 && projector.fault().empty()) list_large(f, listed++);
  REQUIRE(eventually([&] { return !projector.fault().empty(); }));
  CHECK(disk.failed_table_writes() >= 1);
  CHECK(projector.fault().find("No space") != std::string::npos);
  for (int more = 0; more < 3; ++more) list_large(f, listed++);  // the log takes commands meanwhile
  CHECK(projector.lag() > 0);

  // Room again: RocksDB's retry writes the file, the projector's next
  // attempt applies, and the fault ends without a restart.
  disk.fail_table_writes(FailingDisk::TableFault::none);
  REQUIRE(eventually([&] { return projector.lag() == 0 && projector.fault().empty(); }));
  for (int n = 0; n < listed; ++n) {
    auto const row = (*store)->ticket(MarketplaceFixture::ticket_id(n));
    REQUIRE(row.has_value());
    CHECK(row->title.size() == std::size_t{64} << 10);
  }
  projector.stop();
  check_equals_rebuild(f, **store);
}
