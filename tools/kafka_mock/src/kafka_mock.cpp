#include "kafka_mock/kafka_mock.hpp"

#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace ticketing {

struct KafkaMockCluster::Impl {
  rd_kafka_t* host{nullptr};  // the client instance the mock cluster lives in
  rd_kafka_mock_cluster_t* cluster{nullptr};
  ~Impl() {
    if (cluster != nullptr) rd_kafka_mock_cluster_destroy(cluster);
    if (host != nullptr) rd_kafka_destroy(host);
  }
};

Result<std::unique_ptr<KafkaMockCluster>> KafkaMockCluster::start(int brokers, std::string const& topic,
                                                                  int partitions) {
  auto impl = std::make_unique<Impl>();
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  impl->host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (impl->host == nullptr) return make_error(ErrorCode::unavailable, std::string("mock cluster: ") + errstr);
  impl->cluster = rd_kafka_mock_cluster_new(impl->host, brokers);
  if (impl->cluster == nullptr) return make_error(ErrorCode::unavailable, "mock cluster: cannot start brokers");
  int const replication = std::min(brokers, 3);
  if (auto err = rd_kafka_mock_topic_create(impl->cluster, topic.c_str(), partitions, replication); err) {
    return make_error(ErrorCode::unavailable, std::string("mock cluster: ") + rd_kafka_err2str(err));
  }
  return std::unique_ptr<KafkaMockCluster>(new KafkaMockCluster(std::move(impl)));
}

KafkaMockCluster::KafkaMockCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaMockCluster::~KafkaMockCluster() = default;

std::string KafkaMockCluster::bootstraps() const { return rd_kafka_mock_cluster_bootstraps(impl_->cluster); }

void KafkaMockCluster::broker_down(int broker_id) { rd_kafka_mock_broker_set_down(impl_->cluster, broker_id); }
void KafkaMockCluster::broker_up(int broker_id) { rd_kafka_mock_broker_set_up(impl_->cluster, broker_id); }

void KafkaMockCluster::fail_next_produces(int count) {
  std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count), RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  rd_kafka_mock_push_request_errors_array(impl_->cluster, 0 /* Produce */, errors.size(), errors.data());
}

}  // namespace ticketing
