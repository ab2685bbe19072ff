#pragma once
// The embedded log: one RocksDB database, one committer thread.
//
// Appends from any thread are queued; the committer takes everything queued
// (up to max_batch), validates each commit in order against the current
// stream versions (including earlier commits of the same batch and of
// batches written before it), and writes all accepted ones in one
// WriteBatch. A second thread, the syncer, then syncs the WAL (one fsync for
// every batch written since its last one), publishes the batches and only
// then answers them: the committer validates and writes the next batch while
// the previous one syncs. Concurrent appenders therefore share one fsync
// (group commit), and an acknowledged commit survives kill -9 and power loss.
// A WriteBatch is atomic, so a crash never leaves half a commit. Readers see
// only published (synced) commits: partitions and commit lookups stop at the
// published end, and a stream read waits for its newest events' sync.
//
// A failed sync stops the log's writes for good (fault() says why): after a
// failed fsync the file's unsynced pages may be gone while a later fsync
// succeeds, so no later sync can vouch for them. The batches it covered are
// answered with errors and never published; every later append is refused.
// A restart recovers from what the disk holds (a commit answered with an
// error may be there: an error never promises absence). A failed write
// (RocksDB stops its writes after a flush or compaction could not write its
// file, e.g. on a full disk) refuses that batch and every later one until
// RocksDB recovers (after a full disk it retries by itself, once there is
// room) or a restart; fault() says why meanwhile. A replica stops the
// same way after a failed write (its external log moves on; the replica
// cannot follow it without a gap), and a restart reads the external log
// again from the replica's last stored position.
//
// The open reads where each partition ends (its last commit key): a read
// error there fails the open. Taken for an empty partition, it would let the
// next append be written over the partition's first commit.
//
// Layout (column families):
//   commits : be32 partition | be64 offset        -> the commit, binary (encode_stored_commit, codec.hpp);
//             JSON in a store written before that, or in a replica (as Kafka delivered it)
//   streams : stream | 0x00 | be64 version         -> be32 partition | be64 offset | be32 event index
//             (prefix blooms over stream | 0x00: a new stream's lookup reads no block)
//   dedup   : 'c' commit id                        -> be32 partition | be64 offset
//             ('k' entries, an idempotency-key index of earlier versions, are ignored)
//   default : "partitions"                         -> partition count (fixed at creation)
//             ("wal-roll" is never stored: written and deleted to switch the memtables, store_files.hpp)

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "eventstore/event_log.hpp"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace ticketing {

class RecentCommits;

struct RocksDbLogOptions {
  std::string path;
  std::uint32_t partitions{16};  // used when creating; an existing log keeps its own
  bool sync{true};               // false only for tests/benchmarks that measure without fsync
  std::size_t max_batch{2048};   // commits per group commit
  // The local copy of an external log (Kafka): no committer; commits arrive
  // through apply_replicated at the external log's positions.
  bool replica{false};
  // Non-empty: read-only, as a RocksDB secondary instance of the log at
  // `path` (which a server may hold and write meanwhile), keeping its own
  // small files here. No appends; catch_up() follows the writer.
  std::string secondary_path{};
  // Stream heads the committer keeps in memory (a stream's current version,
  // what validation compares with); past this many, arbitrary ones are
  // dropped and read again from the stream index when next needed.
  std::size_t max_cached_heads{std::size_t{1} << 18};
  // How long a stream read waits for the sync of the newest commit it read
  // (written, not yet durable) before answering unavailable.
  std::chrono::milliseconds sync_wait{5000};
  // The environment (file system) the log's database uses; null: the
  // default. Tests pass one whose disk fails on demand. Must outlive the log.
  rocksdb::Env* env{nullptr};
};

// A commit read from the external log a replica copies, at its position there.
struct ReplicatedRecord {
  Commit commit;
  std::string encoded;
  Position position;
  AppendCallback done;  // told the verdict: the position, duplicate, or conflict
};

class RocksDbLog final : public EventLog {
 public:
  // unavailable if the database cannot be opened (locked by another process,
  // corrupt, unwritable directory).
  [[nodiscard]] static Result<std::unique_ptr<RocksDbLog>> open(RocksDbLogOptions const& options);
  ~RocksDbLog() override;  // drains the queue, then stops the committer

  RocksDbLog(RocksDbLog const&) = delete;
  RocksDbLog& operator=(RocksDbLog const&) = delete;

  [[nodiscard]] std::uint32_t partition_count() const noexcept override { return partitions_; }
  void append_async(Commit commit, AppendCallback done) override;
  [[nodiscard]] Result<std::vector<RecordedEvent>> read_stream(std::string const& stream,
                                                               std::int64_t from_version) override;
  [[nodiscard]] Result<std::int64_t> stream_version(std::string const& stream) override;
  [[nodiscard]] Result<std::optional<RecordedCommit>> find_commit(std::string const& commit_id) override;
  [[nodiscard]] Result<std::vector<RecordedCommit>> read_partition(std::uint32_t partition, std::uint64_t from_offset,
                                                                   std::size_t max) override;
  // From disk (never the decoded recent commits), in one iterator that
  // leaves the block cache to the server's own reads.
  [[nodiscard]] Result<std::vector<StoredCommit>> read_partition_stored(std::uint32_t partition,
                                                                        std::uint64_t from_offset,
                                                                        std::size_t max) override;
  [[nodiscard]] Result<void> read_partition_stored_into(std::uint32_t partition, std::uint64_t from_offset,
                                                        std::size_t max, std::vector<StoredCommit>& out) override;
  [[nodiscard]] std::vector<std::uint64_t> end_offsets() override;
  [[nodiscard]] std::unique_ptr<Subscription> subscribe(std::vector<std::uint64_t> from,
                                                        CommitHandler handler) override;

  // Replica mode, one thread: validates each record in order with the rule
  // every reader applies (validation.hpp) and stores the accepted ones at
  // their positions, recording `consumed` (per partition, the next offset to
  // read from the external log) in the same batch.
  void apply_replicated(std::vector<ReplicatedRecord> records, std::map<std::uint32_t, std::uint64_t> const& consumed);
  // Replica mode: per partition, where to resume reading the external log
  // (absent: from its beginning). A read error is an error, never "absent".
  [[nodiscard]] Result<std::map<std::uint32_t, std::uint64_t>> consumed_offsets() const;

  // Read-only mode: takes in what the writer has made durable since, as whole
  // commits (a WriteBatch is atomic), and publishes the new ends. Reads in
  // between see one consistent cut.
  [[nodiscard]] Result<void> catch_up();

  // Blocks until end_offsets() changes from `seen_sequence` or `timeout`
  // passes; returns the current publication sequence. Used by subscriptions.
  std::uint64_t wait_for_commits(std::uint64_t seen_sequence, std::chrono::milliseconds timeout);
  [[nodiscard]] std::uint64_t publication_sequence();
  // How many stream heads the committer held after its last batch (at most
  // max_cached_heads). For tests and diagnostics.
  [[nodiscard]] std::size_t cached_heads();
  [[nodiscard]] std::string fault() override;

 private:
  struct Pending {
    Commit commit;
    std::string encoded;
    AppendCallback done;
    std::optional<Position> at;  // replica mode: the external log's position
  };
  struct Handles;
  struct Staged;   // one batch's writes, in the making
  struct Written;  // one batch between its write and its answers
  class WriteFault;

  RocksDbLog(std::unique_ptr<rocksdb::DB> db, std::unique_ptr<Handles> handles, std::uint32_t partitions,
             RocksDbLogOptions options, std::shared_ptr<WriteFault> write_fault);
  [[nodiscard]] static Result<std::unique_ptr<RocksDbLog>> open_secondary(RocksDbLogOptions const& options);
  // Reads where each partition ends (a read error fails the open: never
  // taken for an empty partition), then starts the committer and syncer.
  [[nodiscard]] Result<void> start();
  void run_committer();
  void run_syncer();
  // With written_mutex_ held and no sync running: takes every written batch,
  // syncs the WAL once (the lock released meanwhile), publishes and answers
  // them in order. Either thread does it: the committer when nothing else is
  // queued, the syncer otherwise.
  void sync_written(std::unique_lock<std::mutex>& lock);
  // Group commit: validates each commit of `batch` against the log as the
  // batches before it leave it and writes every accepted one in one
  // WriteBatch (its WAL synced when `sync`). `consumed` (replica mode)
  // records the external log's offsets in the same write. Nothing is
  // answered or published yet.
  [[nodiscard]] Written write_batch(std::vector<Pending>& batch, bool sync,
                                    std::map<std::uint32_t, std::uint64_t> const& consumed = {});
  // The steps of write_batch.
  [[nodiscard]] Result<AppendResult> stage(Pending& pending, Staged& staged);
  [[nodiscard]] std::optional<Position> accepted_before(std::string const& commit_id, Staged const& staged);
  void keep_heads(Staged const& staged);
  // After a batch is durable: readers and subscribers see it.
  void publish(Written const& written);
  static void answer(Written& written);  // in the order appended
  [[nodiscard]] std::int64_t head_of(std::string const& stream);
  // Waits until the commit at `at` is published (durable); false if that
  // does not happen within `timeout`.
  [[nodiscard]] bool wait_published(Position at, std::chrono::milliseconds timeout);

  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<Handles> handles_;
  std::uint32_t partitions_;
  RocksDbLogOptions options_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::vector<Pending> queue_;
  bool stopping_{false};

  // Batches written, waiting for the syncer, oldest first (at most
  // kMaxUnsynced: the committer waits for room).
  std::mutex written_mutex_;
  std::condition_variable syncer_cv_;  // written batches to sync, or the committer's end
  std::condition_variable room_cv_;    // room in written_
  std::vector<Written> written_;
  bool committer_done_{false};
  bool syncing_{false};  // a thread is in sync_written
  // Set once, by the first failed sync (a replica: failed write); then no
  // batch is written or published.
  std::atomic<bool> sync_failed_{false};
  std::string sync_error_;  // written before sync_failed_ is set
  // Why writes fail now (set by a failed write; cleared by a write that
  // succeeds or by RocksDB's recovery). Also a listener of the database.
  std::shared_ptr<WriteFault> write_fault_;

  // Committer thread only. At most options_.max_cached_heads after each batch.
  std::unordered_map<std::string, std::int64_t> heads_;
  std::atomic<std::size_t> cached_heads_{0};  // heads_.size() after the last batch
  std::vector<std::uint64_t> next_offset_;
  // Per partition, the recorded_at of its last commit: a commit stamped
  // earlier (appenders' clocks are read on their own threads) is stored with
  // this one, so recorded_at never goes back within a partition.
  std::vector<Instant> last_recorded_;

  // Published after each durable batch.
  std::mutex published_mutex_;
  std::condition_variable published_cv_;
  std::vector<std::uint64_t> published_end_;
  std::uint64_t publication_sequence_{0};
  // The newest commits, decoded: what readers that keep up read (guarded
  // by published_mutex_).
  std::unique_ptr<RecentCommits> recent_;

  std::thread committer_;
  std::thread syncer_;
};

}  // namespace ticketing
