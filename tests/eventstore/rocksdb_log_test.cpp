#include "eventstore/rocksdb_log.hpp"

#include <doctest/doctest.h>

#include "log_contract.hpp"
#include "temp_dir.hpp"

namespace {

struct RocksDbBackend {
  static constexpr bool kDurable = true;
  ticketing::testing::TempDir dir;

  std::unique_ptr<ticketing::EventLog> open() {
    auto log = ticketing::RocksDbLog::open({.path = dir.str(), .partitions = 4});
    REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
    return std::move(*log);
  }
};

}  // namespace

TEST_CASE_TEMPLATE_INVOKE(event_log_contract, RocksDbBackend);

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
