#include "eventstore/rocksdb_log.hpp"

#include <doctest/doctest.h>

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
