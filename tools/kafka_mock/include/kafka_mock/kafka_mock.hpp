#pragma once
// librdkafka's built-in mock cluster: brokers that speak the Kafka protocol
// in this process, reachable over TCP on 127.0.0.1. For tests and for
// `ticketing kafka-mock` (several nodes on one machine without a broker).
// Data lives in memory; ports change at every start.

#include <cstdint>
#include <memory>
#include <string>

#include "domain/result.hpp"

namespace ticketing {

class KafkaMockCluster {
 public:
  // Starts `brokers` brokers and creates `topic` with `partitions` partitions.
  [[nodiscard]] static Result<std::unique_ptr<KafkaMockCluster>> start(int brokers, std::string const& topic,
                                                                       int partitions);
  ~KafkaMockCluster();
  KafkaMockCluster(KafkaMockCluster const&) = delete;
  KafkaMockCluster& operator=(KafkaMockCluster const&) = delete;

  // "HOST:PORT,..." for bootstrap.servers.
  [[nodiscard]] std::string bootstraps() const;
  // Broker ids are 1..brokers.
  void broker_down(int broker_id);
  void broker_up(int broker_id);
  // The next `count` Produce requests fail with a retriable error
  // (NOT_ENOUGH_REPLICAS), as a flaky broker's would.
  void fail_next_produces(int count);

 private:
  struct Impl;
  explicit KafkaMockCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ticketing
