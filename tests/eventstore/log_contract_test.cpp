// The one contract suite (log_contract.hpp) against the embedded RocksDB log.
// kafka_log_test.cpp runs the same suite unchanged against Kafka.

#include "log_contract.hpp"

#include <doctest/doctest.h>

#include "eventstore/rocksdb_log.hpp"
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
