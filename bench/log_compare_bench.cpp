// The same append workload on the embedded log and on Kafka (librdkafka's
// mock cluster, 3 brokers, in this process), printed side by side: durable
// single-event commits per second and commit latency (p50/p99) with 1, 16 and
// 64 concurrent appenders. On Kafka a commit is acknowledged once the node
// has consumed it back and validated it, as ticketing does.
//
// Usage: log_compare_bench [SECONDS_PER_RUN]

#include <filesystem>

#include "append_load.hpp"
#include "eventstore/kafka_log.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "kafka_mock/kafka_mock.hpp"

using namespace ticketing;
using namespace ticketing::bench;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  double const seconds = argc > 1 ? std::stod(argv[1]) : 5.0;
  fs::path const dir = fs::temp_directory_path() / ("ticketing-log-compare-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  auto embedded = RocksDbLog::open({.path = (dir / "embedded").string(), .partitions = 16});
  auto mock = KafkaMockCluster::start(3, "commits", 16);
  if (!embedded || !mock) {
    std::fprintf(stderr, "cannot start: %s\n",
                 !embedded ? embedded.error().message.c_str() : mock.error().message.c_str());
    return 1;
  }
  KafkaLogOptions options;
  options.brokers = (*mock)->bootstraps();
  options.topic = "commits";
  options.local_path = (dir / "replica").string();
  auto kafka = KafkaLog::open(options);
  if (!kafka) {
    std::fprintf(stderr, "cannot open the Kafka log: %s\n", kafka.error().message.c_str());
    return 1;
  }
  std::printf("10,000 streams, 16 partitions, %.0f s per run; Kafka: librdkafka %s mock cluster, 3 brokers, acks=all\n",
              seconds, "2.0");
  std::printf("%-10s | %12s %9s %9s | %12s %9s %9s\n", "", "embedded", "", "", "kafka (mock)", "", "");
  std::printf("%-10s | %12s %9s %9s | %12s %9s %9s\n", "appenders", "commits/s", "p50 ms", "p99 ms", "commits/s",
              "p50 ms", "p99 ms");
  create_streams(**embedded);
  create_streams(**kafka);
  std::vector<std::int64_t> embedded_versions(kStreams, 0), kafka_versions(kStreams, 0);
  std::atomic<std::uint64_t> seq{0};
  for (int appenders : {1, 16, 64}) {
    auto const e = run(**embedded, appenders, seconds, embedded_versions, seq);
    auto const k = run(**kafka, appenders, seconds, kafka_versions, seq);
    std::printf("%-10d | %12.0f %9.2f %9.2f | %12.0f %9.2f %9.2f\n", appenders, e.commits_per_second, e.p50_us / 1000,
                e.p99_us / 1000, k.commits_per_second, k.p50_us / 1000, k.p99_us / 1000);
    std::fflush(stdout);
  }
  kafka->reset();
  embedded->reset();
  fs::remove_all(dir);
}
