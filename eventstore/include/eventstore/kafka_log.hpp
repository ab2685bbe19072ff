#pragma once
// The Kafka backend (ARCHITECTURE.md §3). The log is one topic; a commit is
// one record: key = the partition key, value = the commit as JSON (the same
// document the embedded log stores), headers commit_id and event_types. The
// record goes to partition partition_of(key), computed here, not by Kafka.
//
// Any node may produce (idempotent producer, acks=all). Every node consumes
// every partition and folds it into a local replica (a RocksDbLog in replica
// mode) with the same validation the embedded log applies before writing:
// the first valid commit wins, conflicting and repeated ones are skipped by
// every reader alike. The node that produced a commit learns its outcome by
// consuming it, and only then answers the caller. Consumer offsets in Kafka
// are not used: the replica records, with its data, where to resume.
//
// Reads, positions and subscriptions are the replica's, so a restarted node
// resumes from its local checkpoint instead of replaying the topic. A write
// of the replica that fails stops the node's consumption (fault()): going on
// would leave a gap in the replica that validation would then decide on.

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "eventstore/rocksdb_log.hpp"

namespace ticketing {

struct KafkaLogOptions {
  std::string brokers;  // bootstrap.servers
  std::string topic{"ticketing.commits"};
  std::string local_path;  // the replica's directory
  // How long append_async waits to see its commit in the topic before it
  // answers unavailable (the broker may be down).
  std::chrono::milliseconds append_timeout{10'000};
  std::map<std::string, std::string> properties;  // extra librdkafka settings (security, tuning)
  // The file system of the replica's database (RocksDbLogOptions::env);
  // null: the default. Tests give one that fails on demand.
  rocksdb::Env* replica_env{nullptr};
};

class KafkaLog final : public EventLog {
 public:
  // unavailable if the brokers cannot be reached or the topic does not exist.
  [[nodiscard]] static Result<std::unique_ptr<KafkaLog>> open(KafkaLogOptions const& options);
  ~KafkaLog() override;
  KafkaLog(KafkaLog const&) = delete;
  KafkaLog& operator=(KafkaLog const&) = delete;

  [[nodiscard]] std::uint32_t partition_count() const noexcept override;
  void append_async(Commit commit, AppendCallback done) override;
  [[nodiscard]] Result<std::vector<RecordedEvent>> read_stream(std::string const& stream,
                                                               std::int64_t from_version) override;
  [[nodiscard]] Result<std::int64_t> stream_version(std::string const& stream) override;
  [[nodiscard]] Result<std::optional<RecordedCommit>> find_commit(std::string const& commit_id) override;
  [[nodiscard]] Result<std::vector<RecordedCommit>> read_partition(std::uint32_t partition, std::uint64_t from_offset,
                                                                   std::size_t max) override;
  [[nodiscard]] Result<std::vector<StoredCommit>> read_partition_stored(std::uint32_t partition,
                                                                        std::uint64_t from_offset,
                                                                        std::size_t max) override;
  [[nodiscard]] Result<void> read_partition_stored_into(std::uint32_t partition, std::uint64_t from_offset,
                                                        std::size_t max, std::vector<StoredCommit>& out) override;
  [[nodiscard]] std::vector<std::uint64_t> end_offsets() override;
  [[nodiscard]] std::unique_ptr<Subscription> subscribe(std::vector<std::uint64_t> from,
                                                        CommitHandler handler) override;
  // Why this node stopped following the topic (its replica failed a
  // write), or empty. Once set, the node consumes nothing more and refuses
  // appends; a restart resumes from the replica's last stored position.
  [[nodiscard]] std::string fault() override;

  // Records of the topic not yet folded into the replica, summed over
  // partitions (as of the last fetch); 0 when caught up.
  [[nodiscard]] std::int64_t replication_lag() const;
  // Records of the topic that were not commits (corrupt or hostile), skipped
  // by this node and reported on standard error.
  [[nodiscard]] std::uint64_t skipped_records() const;

 private:
  struct Impl;
  explicit KafkaLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ticketing
