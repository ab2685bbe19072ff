// The one contract suite, run unchanged against both backends: the embedded
// RocksDB log, and Kafka (librdkafka's mock cluster, 3 brokers) with a local
// replica.

#include "log_contract.hpp"

#include <doctest/doctest.h>

#include "eventstore/kafka_log.hpp"
#include "eventstore/kafka_mock.hpp"
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

struct KafkaBackend {
  static constexpr bool kDurable = true;  // the mock cluster lives as long as the backend
  ticketing::testing::TempDir dir;
  std::unique_ptr<ticketing::KafkaMockCluster> cluster = start();

  static std::unique_ptr<ticketing::KafkaMockCluster> start() {
    auto c = ticketing::KafkaMockCluster::start(3, "commits", 4);
    REQUIRE_MESSAGE(c.has_value(), (c ? "" : c.error().message));
    return std::move(*c);
  }
  std::unique_ptr<ticketing::EventLog> open() {
    ticketing::KafkaLogOptions options;
    options.brokers = cluster->bootstraps();
    options.topic = "commits";
    options.local_path = (dir.path() / "replica").string();
    auto log = ticketing::KafkaLog::open(options);
    REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
    return std::move(*log);
  }
};

}  // namespace

TEST_CASE_TEMPLATE_INVOKE(event_log_contract, RocksDbBackend, KafkaBackend);
