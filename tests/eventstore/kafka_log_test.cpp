// The log contract (log_contract.hpp) against Kafka: librdkafka's mock
// cluster, 3 brokers, with a local replica. Then what only the Kafka backend
// has to show: several nodes producing to one topic agree, broker faults cost
// availability but never acknowledged data, and retried produces never commit
// twice.

#include "eventstore/kafka_log.hpp"

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include <doctest/doctest.h>
#include <librdkafka/rdkafka.h>
#include <rocksdb/db.h>

#include "eventually.hpp"
#include "failing_disk.hpp"
#include "kafka_mock/kafka_mock.hpp"
#include "log_contract.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using ticketing::testing::eventually;
using namespace ticketing::contract;

namespace {

struct KafkaBackend {
  static constexpr bool kDurable = true;  // the mock cluster lives as long as the backend
  testing::TempDir dir;
  std::unique_ptr<KafkaMockCluster> cluster = start();

  static std::unique_ptr<KafkaMockCluster> start() {
    auto c = KafkaMockCluster::start(3, "commits", 4);
    REQUIRE_MESSAGE(c.has_value(), (c ? "" : c.error().message));
    return std::move(*c);
  }
  std::unique_ptr<EventLog> open() {
    KafkaLogOptions options;
    options.brokers = cluster->bootstraps();
    options.topic = "commits";
    options.local_path = (dir.path() / "replica").string();
    auto log = KafkaLog::open(options);
    REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
    return std::move(*log);
  }
};

struct Cluster {
  testing::TempDir dir;
  std::unique_ptr<KafkaMockCluster> mock = std::move(*KafkaMockCluster::start(3, "commits", 4));

  std::unique_ptr<KafkaLog> node(std::string const& name, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                                 rocksdb::Env* replica_env = nullptr) {
    KafkaLogOptions options;
    options.brokers = mock->bootstraps();
    options.topic = "commits";
    options.local_path = (dir.path() / name).string();
    options.append_timeout = timeout;
    options.replica_env = replica_env;
    auto log = KafkaLog::open(options);
    REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
    return std::move(*log);
  }
};

// Two nodes' replicas hold the same commits at the same positions, partition
// by partition.
void check_same_replicas(KafkaLog& mine, KafkaLog& theirs) {
  for (std::uint32_t p = 0; p < mine.partition_count(); ++p) {
    auto const a = mine.read_partition(p, 0, 100);
    auto const b = theirs.read_partition(p, 0, 100);
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    REQUIRE(a->size() == b->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
      CHECK((*a)[i].position == (*b)[i].position);
      CHECK((*a)[i].commit.commit_id == (*b)[i].commit.commit_id);
    }
  }
}

}  // namespace

TEST_CASE_TEMPLATE_INVOKE(event_log_contract, KafkaBackend);

TEST_CASE("three nodes racing for one stream: one commit wins, and every node agrees which") {
  Cluster c;
  std::vector<std::unique_ptr<KafkaLog>> nodes;
  for (int i = 0; i < 3; ++i) nodes.push_back(c.node("node" + std::to_string(i)));
  REQUIRE(nodes[0]->append(ticket_commit("created", 1, kNoStream)).has_value());
  std::string const stream = ticket_stream(ticket_id(1));
  REQUIRE(eventually([&] {
    return std::all_of(nodes.begin(), nodes.end(), [&](auto& n) { return n->stream_version(stream).value() == 0; });
  }));
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {
    threads.emplace_back([&, t] {
      auto r = nodes[static_cast<std::size_t>(t % 3)]->append(ticket_commit("race-" + std::to_string(t), 1, 0));
      if (r) {
        ++wins;
      } else if (r.error().code == ErrorCode::conflict) {
        ++conflicts;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wins == 1);
  CHECK(conflicts == 11);
  REQUIRE(eventually([&] {
    return std::all_of(nodes.begin(), nodes.end(), [&](auto& n) { return n->stream_version(stream).value() == 1; });
  }));
  std::set<std::string> winners;
  for (auto& n : nodes)
    winners.insert(n->read_partition(n->partition_of(ticket_id(1)), 0, 100)->back().commit.commit_id);
  CHECK(winners.size() == 1);
}

TEST_CASE("injected produce errors: retries never commit twice") {
  Cluster c;
  auto log = c.node("node");
  REQUIRE(log->append(ticket_commit("warm-up", 99, kNoStream)).has_value());
  c.mock->fail_next_produces(8);
  constexpr int kCommits = 30;
  int acknowledged = 0;
  for (int i = 0; i < kCommits; ++i) {
    auto r = log->append(ticket_commit("c" + std::to_string(i), 200 + i, kNoStream));
    acknowledged += r.has_value() ? 1 : 0;
  }
  CHECK(acknowledged == kCommits);
  std::set<std::string> seen;
  std::size_t total = 0;
  for (std::uint32_t p = 0; p < log->partition_count(); ++p) {
    for (auto const& rc : *log->read_partition(p, 0, 1000)) {
      seen.insert(rc.commit.commit_id);
      ++total;
    }
  }
  CHECK(total == seen.size());  // no commit stored twice
  CHECK(seen.size() == kCommits + 1);
}

TEST_CASE("brokers down: appends answer unavailable, nothing acknowledged is lost, service resumes") {
  Cluster c;
  auto log = c.node("node", std::chrono::milliseconds(2000));
  REQUIRE(log->append(ticket_commit("before", 1, kNoStream)).has_value());
  for (int b = 1; b <= 3; ++b) c.mock->broker_down(b);
  auto const down = log->append(ticket_commit("during", 2, kNoStream));
  REQUIRE_FALSE(down.has_value());
  CHECK(down.error().code == ErrorCode::unavailable);
  CHECK(log->stream_version(ticket_stream(ticket_id(1))).value() == 0);  // reads go on from the replica
  for (int b = 1; b <= 3; ++b) c.mock->broker_up(b);
  Result<AppendResult> after = make_error(ErrorCode::unavailable, "not yet");
  REQUIRE(eventually([&] {
    after = log->append(ticket_commit("after", 3, kNoStream));
    return after.has_value();
  }));
  CHECK(log->stream_version(ticket_stream(ticket_id(1))).value() == 0);
  CHECK(log->stream_version(ticket_stream(ticket_id(3))).value() == 0);
}

TEST_CASE("a restarted node resumes from its replica's checkpoint and catches up") {
  Cluster c;
  auto writer = c.node("writer");
  auto reader = c.node("reader");
  for (int i = 0; i < 10; ++i)
    REQUIRE(writer->append(ticket_commit("a" + std::to_string(i), 300 + i, kNoStream)).has_value());
  REQUIRE(eventually([&] { return reader->stream_version(ticket_stream(ticket_id(309))).value() == 0; }));
  reader.reset();  // the node stops
  for (int i = 0; i < 10; ++i)
    REQUIRE(writer->append(ticket_commit("b" + std::to_string(i), 400 + i, kNoStream)).has_value());
  reader = c.node("reader");
  // Partitions are fetched apart: the last commit may be in before another
  // partition's earlier ones. Caught up is every partition's end.
  REQUIRE(eventually([&] { return reader->end_offsets() == writer->end_offsets(); }));
  CHECK(reader->stream_version(ticket_stream(ticket_id(409))).value() == 0);
}

TEST_CASE("a record that is not a commit is skipped and reported, and the node reads on") {
  Cluster c;
  auto node = c.node("n");
  // Someone else's producer writes garbage into the topic.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", c.mock->bootstraps().c_str(), errstr, sizeof errstr) ==
          RD_KAFKA_CONF_OK);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  REQUIRE(producer != nullptr);
  rd_kafka_topic_t* topic = rd_kafka_topic_new(producer, "commits", nullptr);
  REQUIRE(topic != nullptr);
  for (std::string value :
       {std::string{'\0', '\xff'} + " not json", std::string(R"({"commit_id":"x","events":[{"type":1}]})")}) {
    REQUIRE(rd_kafka_produce(topic, 0, RD_KAFKA_MSG_F_COPY, value.data(), value.size(), nullptr, 0, nullptr) == 0);
  }
  REQUIRE(rd_kafka_flush(producer, 10'000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(producer);
  // The node goes on: a commit after the garbage is accepted and read.
  REQUIRE(node->append(ticket_commit("after-garbage", 7, kNoStream)).has_value());
  CHECK(node->stream_version(ticket_stream(ticket_id(7))).value() == 0);
  REQUIRE(eventually([&] { return node->skipped_records() == 2; }));
}

TEST_CASE("a replica write that fails stops the node: its fault shows, appends are refused, a restart leaves no gap") {
  Cluster c;
  testing::FailingDisk disk;
  auto node = c.node("node", std::chrono::seconds(10), disk.env());
  auto other = c.node("other");
  std::string const stream = ticket_stream(ticket_id(1));
  REQUIRE(node->append(ticket_commit("first", 1, kNoStream)).has_value());
  CHECK(node->fault().empty());

  // In the topic, but this node cannot record it: not acknowledged here.
  disk.fail_wal_writes(true);
  auto const second = node->append(ticket_commit("second", 1, 0));
  CHECK_FALSE(second.has_value());
  CHECK_FALSE(node->fault().empty());
  disk.fail_wal_writes(false);

  // The topic moves on without this node, which follows no further: no
  // commit after the failed one is recorded here, with or without it.
  REQUIRE(eventually([&] { return other->stream_version(stream).value() == 1; }));
  REQUIRE(other->append(ticket_commit("third", 1, 1)).has_value());
  auto const refused = node->append(ticket_commit("fourth", 2, kNoStream));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::unavailable);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // time to (wrongly) consume "third"
  CHECK(node->stream_version(stream).value() == 0);
  CHECK(node->find_commit("third").value() == std::nullopt);

  // Restarted: it reads the topic again from its last stored position, and
  // holds exactly what the other node holds.
  node.reset();
  auto again = c.node("node");
  CHECK(again->fault().empty());
  REQUIRE(eventually([&] { return again->stream_version(stream).value() == 2; }));
  check_same_replicas(*again, *other);
}

TEST_CASE("a node that stops on a failed replica write answers its waiting appends at once, not at their timeout") {
  Cluster c;
  testing::FailingDisk disk;
  auto const timeout = std::chrono::seconds(60);
  std::promise<Result<AppendResult>> second, late;  // outlive the node, which answers them
  auto node = c.node("node", timeout, disk.env());
  REQUIRE(node->append(ticket_commit("first", 1, kNoStream)).has_value());

  // "second" is consumed and its write fails slowly; "late" is produced while
  // that write is under way, so the stopped node will never consume it.
  disk.slow_wal_writes(std::chrono::milliseconds(500));
  disk.fail_wal_writes(true);
  int const writes_before = disk.writes();
  node->append_async(ticket_commit("second", 1, 0), [&](Result<AppendResult> const& r) { second.set_value(r); });
  REQUIRE(eventually([&] { return disk.writes() > writes_before; }));
  node->append_async(ticket_commit("late", 2, kNoStream), [&](Result<AppendResult> const& r) { late.set_value(r); });

  auto second_answer = second.get_future();
  auto late_answer = late.get_future();
  REQUIRE(second_answer.wait_for(timeout / 4) == std::future_status::ready);
  CHECK_FALSE(second_answer.get().has_value());
  REQUIRE(late_answer.wait_for(timeout / 4) == std::future_status::ready);
  auto const answered = late_answer.get();
  REQUIRE_FALSE(answered.has_value());
  CHECK(answered.error().code == ErrorCode::unavailable);
  CHECK(answered.error().message.find("restart") != std::string::npos);
  disk.slow_wal_writes(std::chrono::milliseconds(0));
  disk.fail_wal_writes(false);
}

TEST_CASE("a slow replica write delays a node's answers, nothing more: every append acknowledged, in order, no fault") {
  Cluster c;
  testing::FailingDisk disk;
  auto node = c.node("node", std::chrono::seconds(30), disk.env());
  auto other = c.node("other");
  disk.slow_wal_writes(std::chrono::milliseconds(150));
  constexpr int kAppends = 8;
  std::vector<std::future<Result<AppendResult>>> answers;
  std::vector<std::shared_ptr<std::promise<Result<AppendResult>>>> promises;
  for (int i = 0; i < kAppends; ++i) {
    auto promise = std::make_shared<std::promise<Result<AppendResult>>>();
    answers.push_back(promise->get_future());
    promises.push_back(promise);
    node->append_async(ticket_commit("slow-" + std::to_string(i), i + 1, kNoStream),
                       [promise](Result<AppendResult> const& r) { promise->set_value(r); });
  }
  for (auto& answer : answers) {
    auto const r = answer.get();
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  }
  CHECK(disk.writes() > 0);
  CHECK(node->fault().empty());
  disk.slow_wal_writes(std::chrono::milliseconds(0));
  // The slow node's replica holds what the other node's does, commit for commit.
  REQUIRE(eventually([&] { return other->end_offsets() == node->end_offsets(); }));  // partitions arrive apart
  check_same_replicas(*node, *other);
}

TEST_CASE("a replica whose record of where to resume is damaged does not open (never read from the start)") {
  Cluster c;
  {
    auto node = c.node("node");
    REQUIRE(node->append(ticket_commit("first", 1, kNoStream)).has_value());
  }
  auto const path = (c.dir.path() / "node").string();
  {
    rocksdb::Options options;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(options, path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (auto const& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, path, families, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Put(rocksdb::WriteOptions(), "consumed/0", "not eight bytes").ok());
    for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  KafkaLogOptions options;
  options.brokers = c.mock->bootstraps();
  options.topic = "commits";
  options.local_path = path;
  auto const reopened = KafkaLog::open(options);
  REQUIRE_FALSE(reopened.has_value());
  CHECK(reopened.error().message.find("consumed offset") != std::string::npos);
}
