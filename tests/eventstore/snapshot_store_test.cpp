#include "eventstore/snapshot_store.hpp"

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "temp_dir.hpp"

using namespace ticketing;

TEST_CASE("a snapshot store keeps each stream's latest snapshot across a reopen") {
  testing::TempDir dir;
  Snapshot const first{7, Position{2, 40}, "ticket/1", std::string("state\0with a zero", 17)};
  Snapshot const second{15, Position{2, 90}, "ticket/1", "newer"};
  {
    auto store = *SnapshotStore::open(dir.str());
    CHECK(!store->find("ticket-a"));
    REQUIRE(store->store("ticket-a", first).has_value());
    CHECK(store->find("ticket-a") == first);
    REQUIRE(store->store("ticket-a", second).has_value());
    REQUIRE(store->store("ticket-b", first).has_value());
  }
  auto store = *SnapshotStore::open(dir.str());
  CHECK(store->find("ticket-a") == second);
  CHECK(store->find("ticket-b") == first);
}

TEST_CASE("a stored snapshot that cannot be read back is none") {
  testing::TempDir dir;
  for (auto const& value : {std::string(), std::string("\x80"), std::string("\x02\x01\x05\x08ticket/1\x09st"),
                            std::string("\x02\x01\x05\x08ticket/1\x02st!"), std::string("\x01\x01\x05\x00\x00", 5)}) {
    {
      rocksdb::Options options;
      options.create_if_missing = true;
      rocksdb::DB* raw = nullptr;
      REQUIRE(rocksdb::DB::Open(options, dir.str(), &raw).ok());
      std::unique_ptr<rocksdb::DB> db(raw);
      REQUIRE(db->Put(rocksdb::WriteOptions(), "ticket-a", value).ok());
    }
    auto store = *SnapshotStore::open(dir.str());
    CHECK(!store->find("ticket-a"));
  }
}
