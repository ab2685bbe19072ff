#include "eventstore/rocksdb_log.hpp"

#include <algorithm>
#include <unordered_set>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "eventstore/codec.hpp"
#include "eventstore/small_store.hpp"
#include "eventstore/store_files.hpp"
#include "eventstore/validation.hpp"
#include "keys.hpp"
#include "recent_commits.hpp"

namespace ticketing {

struct RocksDbLog::Handles {
  std::vector<rocksdb::ColumnFamilyHandle*> all;  // default, commits, streams, dedup
  rocksdb::ColumnFamilyHandle* meta() const { return all[0]; }
  rocksdb::ColumnFamilyHandle* commits() const { return all[1]; }
  rocksdb::ColumnFamilyHandle* streams() const { return all[2]; }
  rocksdb::ColumnFamilyHandle* dedup() const { return all[3]; }
};

struct RocksDbLog::Written {
  std::vector<AppendCallback> dones;
  std::vector<Result<AppendResult>> results;
  std::vector<RecentCommits::Held> accepted;  // in the order staged
  std::vector<std::uint64_t> end;             // per partition, the next offset after this batch
  bool wrote{false};                          // something was written: published once synced
  bool failed{false};                         // the write itself failed: nothing of the batch is stored
  std::string error;                          // why, when it failed
};

// A failed write stops RocksDB's writes (its "background error"): every
// later write fails too, until RocksDB recovers (after a full disk it
// retries the failed flush or compaction by itself) or the process
// restarts. The committer records the failure and clears it when a write
// succeeds; RocksDB's end of a successful recovery clears it too, so an
// idle log's fault() ends with the fault.
class RocksDbLog::WriteFault final : public rocksdb::EventListener {
 public:
  void failed(rocksdb::Status const& status) {
    std::string why = status.IsNoSpace()
                          ? "the event log's disk is full (" + status.ToString() +
                                "); appends are refused until there is room again (the log then recovers by "
                                "itself) or the server restarts"
                          : "the event log's disk failed a write (" + status.ToString() +
                                "); appends are refused until the log recovers or the server restarts";
    std::lock_guard lock(mutex_);
    why_ = std::move(why);
    set_ = true;
  }
  void cleared() {
    if (!set_.load(std::memory_order_acquire)) return;  // the committer's common case: no lock
    std::lock_guard lock(mutex_);
    why_.clear();
    set_ = false;
  }
  [[nodiscard]] std::string why() const {
    if (!set_.load(std::memory_order_acquire)) return {};
    std::lock_guard lock(mutex_);
    return why_;
  }
  void OnErrorRecoveryEnd(rocksdb::BackgroundErrorRecoveryInfo const& info) override {
    if (info.new_bg_error.ok()) cleared();
  }

 private:
  mutable std::mutex mutex_;
  std::string why_;
  std::atomic<bool> set_{false};
};

namespace {

Error storage_error(rocksdb::Status const& s) { return ticketing::storage_error("event log storage", s); }

// Decoded commits kept per partition for readers that keep up: a
// subscription reads at most 512 at a time.
constexpr std::size_t kRecentPerPartition = 1024;

// Written batches waiting for their sync, at most (then the committer waits).
constexpr std::size_t kMaxUnsynced = 8;

// One block cache for all the log's column families.
std::shared_ptr<rocksdb::Cache> const& log_block_cache() {
  static auto const cache = rocksdb::NewLRUCache(32 << 20);
  return cache;
}

// Blooms in a family's files: none, over whole keys, or over the family's
// key prefixes only.
enum class FileBlooms { none, whole_keys, prefixes };

// The log's commits and their stream and commit-id indexes are only
// appended to (the default family holds a few keys besides), and each
// flush spans every partition's (and stream's) key range, so under leveled
// compaction every L0 compaction rewrote all of L1. Tiered ("universal")
// compaction instead merges runs of similar size: a commit is rewritten
// about log2(log size / flush size) times, and the appenders get back the
// CPU the merges took (README, "Benchmarks": about a fifth less per commit
// at 64 appenders). A log written under leveled compaction opens as it is:
// each of its levels is one sorted run. The price is disk: a merge of every
// run needs, for a moment, room for another copy of the family.
rocksdb::ColumnFamilyOptions family_options(FileBlooms blooms = FileBlooms::none) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = 16 << 20;
  cf.max_write_buffer_number = 2;
  cf.compaction_style = rocksdb::kCompactionStyleUniversal;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = log_block_cache();
  if (blooms != FileBlooms::none) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = blooms != FileBlooms::prefixes;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

// A family answering point lookups of keys mostly absent (a commit id seen
// for the first time): bloom filters in its files and in its memtables, so
// a miss reads no block and walks no skip list.
rocksdb::ColumnFamilyOptions point_lookup_family_options() {
  rocksdb::ColumnFamilyOptions cf = family_options(FileBlooms::whole_keys);
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  cf.memtable_whole_key_filtering = true;
  return cf;
}

// The streams family's keys are stream | 0x00 | be64 version; its prefix
// is the stream. Blooms over the prefix let a stream's seek skip every file
// and memtable that holds none of its events: a new stream (an order's, on
// every purchase) is known to be new without reading a block.
class StreamPrefix final : public rocksdb::SliceTransform {
 public:
  [[nodiscard]] char const* Name() const override { return "ticketing.StreamPrefix"; }
  [[nodiscard]] rocksdb::Slice Transform(rocksdb::Slice const& key) const override {
    return {key.data(), key.size() - 8};
  }
  [[nodiscard]] bool InDomain(rocksdb::Slice const& key) const override { return key.size() > 8; }
};

rocksdb::ColumnFamilyOptions stream_family_options() {
  rocksdb::ColumnFamilyOptions cf = family_options(FileBlooms::prefixes);  // only whole streams are looked for
  cf.prefix_extractor = std::make_shared<StreamPrefix>();
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  return cf;
}

// Reads of one stream: the iterator ends where the stream's prefix ends.
rocksdb::ReadOptions stream_read_options() {
  rocksdb::ReadOptions read;
  read.prefix_same_as_start = true;
  return read;
}

// The log itself: read sequentially by every fold, so decompression speed
// matters more than ratio: LZ4.
rocksdb::ColumnFamilyOptions commit_family_options() {
  rocksdb::ColumnFamilyOptions cf = family_options();
  cf.compression = rocksdb::kLZ4Compression;
  return cf;
}

// The column families, in the order of Handles.
std::vector<rocksdb::ColumnFamilyDescriptor> log_families() {
  return {{rocksdb::kDefaultColumnFamilyName, family_options()},
          {"commits", commit_family_options()},
          {"streams", stream_family_options()},
          {"dedup", point_lookup_family_options()}};
}

// Last accepted offset + 1 of a partition, from the commits family. A read
// error is an error, never "empty": the next append would be written over
// the partition's first commits.
Result<std::uint64_t> scan_end_offset(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* commits, std::uint32_t partition) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), commits));
  it->SeekForPrev(keys::commit_key(partition, UINT64_MAX));
  if (!it->status().ok()) return storage_error(it->status());
  if (!it->Valid()) return 0;
  auto const key = it->key().ToStringView();
  if (key.size() != 12 || keys::get_be32(key) != partition) return 0;
  return keys::get_be64(key.substr(4)) + 1;
}

// Every partition's scan_end_offset.
Result<std::vector<std::uint64_t>> scan_end_offsets(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* commits,
                                                    std::uint32_t partitions) {
  std::vector<std::uint64_t> ends(partitions);
  for (std::uint32_t p = 0; p < partitions; ++p) {
    auto end = scan_end_offset(db, commits, p);
    if (!end) return end.error();
    ends[p] = *end;
  }
  return ends;
}

class RocksDbSubscription final : public Subscription {
 public:
  RocksDbSubscription(RocksDbLog& log, std::vector<std::uint64_t> from, CommitHandler handler)
      : log_(log), next_(std::move(from)), handler_(std::move(handler)) {
    next_.resize(log_.partition_count(), 0);
    thread_ = std::thread([this] { run(); });
  }
  ~RocksDbSubscription() override { stop(); }

  void stop() override {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::uint64_t seen = log_.publication_sequence();
    std::vector<RecordedCommit> batch;
    while (!stopping_) {
      batch.clear();
      auto const ends = log_.end_offsets();
      for (std::uint32_t p = 0; p < ends.size() && !stopping_; ++p) {
        if (next_[p] >= ends[p]) continue;
        auto commits = log_.read_partition(p, next_[p], 512);
        if (!commits || commits->empty()) continue;  // a storage fault is retried on the next round
        next_[p] = commits->back().position.offset + 1;
        std::move(commits->begin(), commits->end(), std::back_inserter(batch));
      }
      if (stopping_) return;
      if (!batch.empty()) {
        handler_(std::span<RecordedCommit const>(batch));
      } else {
        seen = log_.wait_for_commits(seen, std::chrono::milliseconds(100));
      }
    }
  }

  RocksDbLog& log_;
  std::vector<std::uint64_t> next_;
  CommitHandler handler_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<RocksDbLog>> RocksDbLog::open_secondary(RocksDbLogOptions const& options) {
  rocksdb::DBOptions db_options;
  db_options.max_open_files = -1;    // required of a secondary instance
  bound_diagnostic_log(db_options);  // its own, in secondary_path
  auto const families = log_families();
  auto handles = std::make_unique<Handles>();
  rocksdb::DB* raw = nullptr;
  auto const status =
      rocksdb::DB::OpenAsSecondary(db_options, options.path, options.secondary_path, families, &handles->all, &raw);
  if (!status.ok()) return storage_error(status);
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string stored;
  if (!db->Get(rocksdb::ReadOptions(), handles->meta(), "partitions", &stored).ok()) {
    for (auto* h : handles->all) db->DestroyColumnFamilyHandle(h);
    return make_error(ErrorCode::not_found, options.path + " holds no event log");
  }
  auto const partitions = static_cast<std::uint32_t>(std::stoul(stored));
  std::unique_ptr<RocksDbLog> log(
      new RocksDbLog(std::move(db), std::move(handles), partitions, options, std::make_shared<WriteFault>()));
  if (auto started = log->start(); !started) return started.error();
  return log;
}

Result<void> RocksDbLog::catch_up() {
  if (options_.secondary_path.empty()) return make_error(ErrorCode::internal, "catch_up is for a read-only log");
  if (auto const status = db_->TryCatchUpWithPrimary(); !status.ok()) return storage_error(status);
  auto ends = scan_end_offsets(*db_, handles_->commits(), partitions_);
  if (!ends) return ends.error();
  next_offset_ = std::move(*ends);
  {
    std::lock_guard lock(published_mutex_);
    if (published_end_ == next_offset_) return {};
    published_end_ = next_offset_;
    ++publication_sequence_;
  }
  published_cv_.notify_all();
  return {};
}

Result<std::unique_ptr<RocksDbLog>> RocksDbLog::open(RocksDbLogOptions const& options) {
  if (!options.secondary_path.empty()) return open_secondary(options);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.max_background_jobs = 2;
  db_options.db_write_buffer_size = 64 << 20;  // memtables of all families together
  // After a crash, the WAL is replayed into memtables, which stay there (and
  // the WAL with them) until flushed as usual: ready sooner than writing
  // them out during the open.
  db_options.avoid_flush_during_recovery = true;
  // And what there is to replay is bounded: past this much WAL, the families
  // holding its oldest part are flushed.
  db_options.max_total_wal_size = 16 << 20;
  if (options.env != nullptr) db_options.env = options.env;
  bound_diagnostic_log(db_options);
  auto write_fault = std::make_shared<WriteFault>();
  db_options.listeners.push_back(write_fault);
  auto const families = log_families();
  auto handles = std::make_unique<Handles>();
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(db_options, options.path, families, &handles->all, &raw);
  if (!status.ok()) return storage_error(status);
  std::unique_ptr<rocksdb::DB> db(raw);
  drop_spent_wal_files(*db, options.path, handles->all, "wal-roll");

  std::uint32_t partitions = options.partitions;
  std::string stored;
  status = db->Get(rocksdb::ReadOptions(), handles->meta(), "partitions", &stored);
  if (status.ok()) {
    partitions = static_cast<std::uint32_t>(std::stoul(stored));
  } else if (status.IsNotFound()) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    status = db->Put(sync, handles->meta(), "partitions", std::to_string(partitions));
    if (!status.ok()) return storage_error(status);
  } else {
    return storage_error(status);
  }
  if (partitions == 0) return make_error(ErrorCode::invalid_input, "partition count must be positive");
  std::unique_ptr<RocksDbLog> log(
      new RocksDbLog(std::move(db), std::move(handles), partitions, options, std::move(write_fault)));
  if (auto started = log->start(); !started) return started.error();
  return log;
}

RocksDbLog::RocksDbLog(std::unique_ptr<rocksdb::DB> db, std::unique_ptr<Handles> handles, std::uint32_t partitions,
                       RocksDbLogOptions options, std::shared_ptr<WriteFault> write_fault)
    : db_(std::move(db)),
      handles_(std::move(handles)),
      partitions_(partitions),
      options_(std::move(options)),
      write_fault_(std::move(write_fault)) {
  next_offset_.resize(partitions_);
  published_end_.resize(partitions_);
  recent_ = std::make_unique<RecentCommits>(partitions_, kRecentPerPartition);
  last_recorded_.resize(partitions_);
}

Result<void> RocksDbLog::start() {
  auto ends = scan_end_offsets(*db_, handles_->commits(), partitions_);
  if (!ends) return ends.error();
  next_offset_ = std::move(*ends);
  published_end_ = next_offset_;
  for (std::uint32_t p = 0; p < partitions_; ++p) {
    if (next_offset_[p] == 0) continue;
    auto last = read_partition(p, next_offset_[p] - 1, 1);
    if (!last) return last.error();
    if (!last->empty()) last_recorded_[p] = last->front().commit.meta.recorded_at;
  }
  if (!options_.replica && options_.secondary_path.empty()) {
    committer_ = std::thread([this] { run_committer(); });
    syncer_ = std::thread([this] { run_syncer(); });
  }
  return {};
}

void RocksDbLog::apply_replicated(std::vector<ReplicatedRecord> records,
                                  std::map<std::uint32_t, std::uint64_t> const& consumed) {
  std::vector<Pending> batch;
  batch.reserve(records.size());
  for (auto& r : records) {
    batch.push_back(Pending{std::move(r.commit), std::move(r.encoded), std::move(r.done), r.position});
  }
  Written written = write_batch(batch, options_.sync, consumed);
  if (written.failed && !sync_failed_) {
    // The external log moves on and this replica cannot follow it without a
    // gap: it stops here, and a restart reads the external log again from
    // the last position it stored.
    sync_error_ = "this node's replica of the log could not be written (" + written.error +
                  "); restart the server to read the log again from the replica's last stored position";
    sync_failed_ = true;
  }
  if (written.wrote) publish(written);
  answer(written);
}

Result<std::map<std::uint32_t, std::uint64_t>> RocksDbLog::consumed_offsets() const {
  std::map<std::uint32_t, std::uint64_t> out;
  for (std::uint32_t p = 0; p < partitions_; ++p) {
    std::string value;
    auto const status = db_->Get(rocksdb::ReadOptions(), handles_->meta(), "consumed/" + std::to_string(p), &value);
    if (status.IsNotFound()) continue;
    if (!status.ok()) return storage_error(status);
    if (value.size() != 8) return make_error(ErrorCode::internal, "the replica's consumed offset is damaged");
    out[p] = keys::get_be64(value);
  }
  return out;
}

RocksDbLog::~RocksDbLog() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (committer_.joinable()) committer_.join();
  if (syncer_.joinable()) syncer_.join();  // ends once the committer's last batch is answered
  if (options_.secondary_path.empty()) {
    // What the memtables hold is in the WAL already (durable); written out
    // now, the next open has no WAL to replay and is ready at once. A
    // failure here loses nothing: the WAL is replayed instead.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    (void)db_->Flush(flush, handles_->all);
  }
  for (auto* h : handles_->all) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

void RocksDbLog::append_async(Commit commit, AppendCallback done) {
  if (options_.replica || !options_.secondary_path.empty()) {
    done(make_error(ErrorCode::internal, "this log is read-only here (a replica, or opened for reading)"));
    return;
  }
  std::string encoded = encode_stored_commit(commit);  // on the caller's thread, in parallel
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(commit), std::move(encoded), std::move(done), std::nullopt});
      queue_cv_.notify_one();
      return;
    }
  }
  done(make_error(ErrorCode::unavailable, "event log is shutting down"));
}

void RocksDbLog::run_committer() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and drained
      if (queue_.size() <= options_.max_batch) {
        batch.swap(queue_);
      } else {
        auto const split = queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_batch);
        batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(split));
        queue_.erase(queue_.begin(), split);
      }
    }
    Written written = write_batch(batch, false);
    batch.clear();
    bool alone = false;  // nothing else to write: syncing here saves the syncer's wake-up
    {
      std::lock_guard lock(queue_mutex_);
      alone = queue_.empty();
    }
    std::unique_lock lock(written_mutex_);
    room_cv_.wait(lock, [&] { return written_.size() < kMaxUnsynced; });
    written_.push_back(std::move(written));
    if (alone && !syncing_) {
      sync_written(lock);
    } else {
      lock.unlock();
      syncer_cv_.notify_one();  // the syncer syncs it, with any written meanwhile
    }
  }
  {
    std::lock_guard lock(written_mutex_);
    committer_done_ = true;
  }
  syncer_cv_.notify_one();
}

void RocksDbLog::run_syncer() {
  std::unique_lock lock(written_mutex_);
  for (;;) {
    syncer_cv_.wait(lock, [&] { return !syncing_ && (!written_.empty() || committer_done_); });
    if (written_.empty()) break;  // the committer stopped and every batch is answered
    sync_written(lock);
  }
}

void RocksDbLog::sync_written(std::unique_lock<std::mutex>& lock) {
  syncing_ = true;
  std::vector<Written> taken;
  taken.swap(written_);
  lock.unlock();
  room_cv_.notify_one();
  bool const wrote = std::any_of(taken.begin(), taken.end(), [](Written const& w) { return w.wrote; });
  // One fsync for every batch written before it: the WAL is durable up to
  // at least the end of the last batch taken.
  rocksdb::Status status = wrote && options_.sync ? db_->SyncWAL() : rocksdb::Status::OK();
  if (!status.ok() && !sync_failed_) {
    sync_error_ = "the event log's disk failed to make a write durable (" + status.ToString() +
                  "); restart the server to recover from the log on disk";
    sync_failed_ = true;
  }
  for (auto& w : taken) {
    if (sync_failed_) {
      // Not known to be durable, and never will be in this process: no
      // appender is told its commit landed (nor that a duplicate did).
      for (auto& r : w.results) {
        if (r) r = make_error(ErrorCode::unavailable, sync_error_);
      }
    } else if (w.wrote) {
      publish(w);
    }
    answer(w);
  }
  lock.lock();
  syncing_ = false;
  // Batches written meanwhile (or the committer's end) are the syncer's.
  if (!written_.empty() || committer_done_) syncer_cv_.notify_one();
}

std::int64_t RocksDbLog::head_of(std::string const& stream) {
  if (auto it = heads_.find(stream); it != heads_.end()) return it->second;
  auto version = stream_version(stream);
  std::int64_t const v = version ? *version : kNoStream;
  if (version) heads_.emplace(stream, v);
  return v;
}

struct RocksDbLog::Staged {
  rocksdb::WriteBatch write;
  std::vector<RecentCommits::Held> accepted;             // in the order staged
  std::unordered_map<std::string, std::int64_t> heads;   // stream heads as of this batch
  std::unordered_map<std::string, Position> commit_ids;  // accepted in this batch
};

std::optional<Position> RocksDbLog::accepted_before(std::string const& commit_id, Staged const& staged) {
  if (auto it = staged.commit_ids.find(commit_id); it != staged.commit_ids.end()) return it->second;
  std::string value;
  if (db_->Get(rocksdb::ReadOptions(), handles_->dedup(), "c" + commit_id, &value).ok()) {
    return keys::read_position(value);
  }
  return std::nullopt;
}

// Validates one commit against the log and what the batch accepted before
// it; if accepted, gives it the next offset of its partition (or the external
// log's, in replica mode) and stages its commit, stream and commit-id entries.
Result<AppendResult> RocksDbLog::stage(Pending& pending, Staged& staged) {
  Commit& c = pending.commit;
  std::optional<Position> original;
  auto const seen_before = [&](Commit const& commit) {
    original = accepted_before(commit.commit_id, staged);
    return original.has_value();
  };
  auto const version_of = [&](std::string const& stream) {
    if (auto it = staged.heads.find(stream); it != staged.heads.end()) return it->second;
    return head_of(stream);
  };
  Validation const verdict = validate(c, version_of, seen_before);
  switch (verdict.verdict) {
    case Verdict::duplicate: return AppendResult{*original, true};
    case Verdict::conflict: return make_error(ErrorCode::conflict, verdict.message);
    case Verdict::invalid: return make_error(ErrorCode::invalid_input, verdict.message);
    case Verdict::accepted: break;
  }
  Position at;
  if (pending.at) {
    at = *pending.at;
    next_offset_[at.partition] = std::max(next_offset_[at.partition], at.offset + 1);
  } else {
    at.partition = partition_of(c.partition_key);
    at.offset = next_offset_[at.partition]++;
  }
  std::string restamped;
  if (!pending.at && c.meta.recorded_at < last_recorded_[at.partition]) {
    c.meta.recorded_at = last_recorded_[at.partition];
    restamped = encode_stored_commit(c);
  } else {
    last_recorded_[at.partition] = std::max(last_recorded_[at.partition], c.meta.recorded_at);
  }
  staged.write.Put(handles_->commits(), keys::commit_key(at.partition, at.offset),
                   restamped.empty() ? pending.encoded : restamped);
  for (auto const& e : c.expected) staged.heads[e.stream] = e.version;
  for (std::uint32_t i = 0; i < c.events.size(); ++i) {
    std::string const stream = stream_of(c.events[i]);
    std::int64_t const version = ++staged.heads[stream];
    std::string value = keys::position_value(at);
    keys::put_be32(value, i);
    staged.write.Put(handles_->streams(), keys::stream_key(stream, static_cast<std::uint64_t>(version)), value);
  }
  staged.write.Put(handles_->dedup(), "c" + c.commit_id, keys::position_value(at));
  staged.commit_ids[c.commit_id] = at;
  // Last: what readers of the recent commits get is the commit as stored.
  staged.accepted.push_back(std::make_shared<RecordedCommit const>(RecordedCommit{at, std::move(c)}));
  return AppendResult{at, false};
}

// After a write: the committer's stream heads move (the next batch is
// validated against them, synced or not).
void RocksDbLog::keep_heads(Staged const& staged) {
  for (auto const& [stream, version] : staged.heads) heads_[stream] = version;
  if (heads_.size() > options_.max_cached_heads) {
    // Arbitrary ones go (down to three quarters, so this is rare): a stream's
    // head is in the stream index, and a new stream's absence is known from
    // its blooms without reading a block.
    std::size_t const keep = options_.max_cached_heads / 4 * 3;
    while (heads_.size() > keep) heads_.erase(heads_.begin());
  }
  cached_heads_ = heads_.size();
}

void RocksDbLog::publish(Written const& written) {
  {
    std::lock_guard lock(published_mutex_);
    for (auto const& commit : written.accepted) recent_->add(commit);
    published_end_ = written.end;
    ++publication_sequence_;
  }
  published_cv_.notify_all();
}

void RocksDbLog::answer(Written& written) {
  for (std::size_t i = 0; i < written.dones.size(); ++i) written.dones[i](std::move(written.results[i]));
}

RocksDbLog::Written RocksDbLog::write_batch(std::vector<Pending>& batch, bool sync,
                                            std::map<std::uint32_t, std::uint64_t> const& consumed) {
  Staged staged;
  Written written;
  written.results.reserve(batch.size());
  if (sync_failed_) {
    for (auto& pending : batch) {
      written.results.emplace_back(make_error(ErrorCode::unavailable, sync_error_));
      written.dones.push_back(std::move(pending.done));
    }
    written.end = next_offset_;
    return written;
  }
  auto const offsets_before = next_offset_;
  auto const recorded_before = last_recorded_;
  for (auto& pending : batch) written.results.push_back(stage(pending, staged));
  for (auto const& [partition, next] : consumed) {
    std::string value;
    keys::put_be64(value, next);
    staged.write.Put(handles_->meta(), "consumed/" + std::to_string(partition), value);
  }
  if (staged.write.Count() > 0) {
    rocksdb::WriteOptions write_options;
    write_options.sync = sync;
    if (auto const status = db_->Write(write_options, &staged.write); status.ok()) {
      write_fault_->cleared();
      keep_heads(staged);
      written.wrote = true;
      written.accepted = std::move(staged.accepted);
    } else {
      // Nothing of the batch is in the log: offsets, times and heads go back.
      written.failed = true;
      written.error = status.ToString();
      write_fault_->failed(status);
      next_offset_ = offsets_before;
      last_recorded_ = recorded_before;
      heads_.clear();  // reloaded from storage on demand
      cached_heads_ = 0;
      for (auto& r : written.results) {
        if (r && !r->duplicate) r = storage_error(status);
      }
    }
  }
  written.end = next_offset_;
  written.dones.reserve(batch.size());
  for (auto& pending : batch) written.dones.push_back(std::move(pending.done));
  return written;
}

Result<std::vector<RecordedEvent>> RocksDbLog::read_stream(std::string const& stream, std::int64_t from_version) {
  std::vector<RecordedEvent> out;
  std::string const prefix = keys::stream_prefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(stream_read_options(), handles_->streams()));
  std::string stored;  // the commit last read: consecutive events often share one
  std::optional<Position> stored_at;
  std::vector<Position> newest;  // per partition read (nearly always one), its newest commit
  for (it->Seek(keys::stream_key(stream, static_cast<std::uint64_t>(std::max<std::int64_t>(0, from_version))));
       it->Valid() && it->key().starts_with(prefix); it->Next()) {
    auto const value = it->value().ToStringView();
    Position const at = keys::read_position(value);
    std::uint32_t const index = keys::get_be32(value.substr(12));
    if (stored_at != at) {
      auto status =
          db_->Get(rocksdb::ReadOptions(), handles_->commits(), keys::commit_key(at.partition, at.offset), &stored);
      if (!status.ok()) return storage_error(status);
      stored_at = at;
      auto const seen =
          std::find_if(newest.begin(), newest.end(), [&](Position const& p) { return p.partition == at.partition; });
      if (seen == newest.end()) {
        newest.push_back(at);
      } else {
        seen->offset = std::max(seen->offset, at.offset);
      }
    }
    // Only this stream's event is decoded: not the commit's envelope, nor
    // its other streams' events.
    auto event = decode_event_at(stored, index);
    if (!event) return event.error();
    if (!*event) return make_error(ErrorCode::internal, "stream index out of range");
    auto const version = static_cast<std::int64_t>(keys::get_be64(it->key().ToStringView().substr(prefix.size())));
    out.push_back(RecordedEvent{stream, version, at, std::move(**event)});
  }
  if (!it->status().ok()) return storage_error(it->status());
  // The newest events may be written and not yet synced: answered once they
  // are durable, so no decision rests on a commit a crash could take back.
  for (auto const& at : newest) {
    if (!wait_published(at, options_.sync_wait)) {
      return make_error(ErrorCode::unavailable, "event log storage: a commit's sync has not completed");
    }
  }
  return out;
}

Result<std::int64_t> RocksDbLog::stream_version(std::string const& stream) {
  std::string const prefix = keys::stream_prefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(stream_read_options(), handles_->streams()));
  it->SeekForPrev(keys::stream_key(stream, UINT64_MAX));
  if (!it->status().ok()) return storage_error(it->status());
  if (!it->Valid() || !it->key().starts_with(prefix) || it->key().size() != prefix.size() + 8) return kNoStream;
  return static_cast<std::int64_t>(keys::get_be64(it->key().ToStringView().substr(prefix.size())));
}

namespace {

// Visits the stored commits of `partition` from `from_offset` on, in order,
// until `end` (later ones are written but not yet acknowledged: not visible),
// `max` of them, or `visit` answering false.
template <class Visit>
rocksdb::Status scan_commits(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* commits, rocksdb::ReadOptions const& read,
                             std::uint32_t partition, std::uint64_t from_offset, std::uint64_t end, std::size_t max,
                             Visit&& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read, commits));
  std::size_t seen = 0;
  for (it->Seek(keys::commit_key(partition, from_offset)); it->Valid() && seen < max; it->Next(), ++seen) {
    auto const key = it->key().ToStringView();
    if (keys::get_be32(key) != partition) break;
    std::uint64_t const offset = keys::get_be64(key.substr(4));
    if (offset >= end) break;
    if (!visit(offset, it->value().ToStringView())) break;
  }
  return it->status();
}

}  // namespace

Result<std::vector<RecordedCommit>> RocksDbLog::read_partition(std::uint32_t partition, std::uint64_t from_offset,
                                                               std::size_t max) {
  std::vector<RecordedCommit> out;
  out.reserve(std::min<std::size_t>(max, 4096));
  if (partition >= partitions_) return make_error(ErrorCode::invalid_input, "no such partition");
  std::uint64_t end = 0;
  std::optional<std::vector<RecentCommits::Held>> recent;
  {
    std::lock_guard lock(published_mutex_);
    end = published_end_[partition];
    recent = recent_->read(partition, from_offset, end, max);
  }
  if (recent) {
    for (auto const& held : *recent) out.push_back(*held);
    return out;
  }
  std::optional<Error> failed;
  auto const status = scan_commits(*db_, handles_->commits(), rocksdb::ReadOptions(), partition, from_offset, end, max,
                                   [&](std::uint64_t offset, std::string_view value) {
                                     auto commit = decode_commit(value);
                                     if (!commit) {
                                       failed = commit.error();
                                       return false;
                                     }
                                     out.push_back(RecordedCommit{Position{partition, offset}, std::move(*commit)});
                                     return true;
                                   });
  if (failed) return *failed;
  if (!status.ok()) return storage_error(status);
  return out;
}

Result<std::vector<StoredCommit>> RocksDbLog::read_partition_stored(std::uint32_t partition, std::uint64_t from_offset,
                                                                    std::size_t max) {
  std::vector<StoredCommit> out;
  out.reserve(std::min<std::size_t>(max, 4096));
  auto read = read_partition_stored_into(partition, from_offset, max, out);
  if (!read) return read.error();
  return out;
}

Result<void> RocksDbLog::read_partition_stored_into(std::uint32_t partition, std::uint64_t from_offset, std::size_t max,
                                                    std::vector<StoredCommit>& out) {
  if (partition >= partitions_) return make_error(ErrorCode::invalid_input, "no such partition");
  std::uint64_t end = 0;
  {
    std::lock_guard lock(published_mutex_);
    end = published_end_[partition];
  }
  rocksdb::ReadOptions read;
  read.fill_cache = false;  // a whole-log read would only evict what the server reads again
  std::size_t used = 0;     // out's first `used` entries are this read's; the rest are reused
  auto const status = scan_commits(*db_, handles_->commits(), read, partition, from_offset, end, max,
                                   [&](std::uint64_t offset, std::string_view value) {
                                     if (used == out.size()) out.emplace_back();
                                     StoredCommit& stored = out[used++];
                                     stored.position = Position{partition, offset};
                                     stored.encoded.reserve(value.size() + kDecodeSlack);
                                     stored.encoded.assign(value);
                                     return true;
                                   });
  out.resize(used);
  if (!status.ok()) return storage_error(status);
  return {};
}

Result<std::optional<RecordedCommit>> RocksDbLog::find_commit(std::string const& commit_id) {
  std::string value;
  auto const status = db_->Get(rocksdb::ReadOptions(), handles_->dedup(), "c" + commit_id, &value);
  if (status.IsNotFound()) return std::optional<RecordedCommit>();
  if (!status.ok()) return storage_error(status);
  Position const at = keys::read_position(value);
  auto found = read_partition(at.partition, at.offset, 1);
  if (!found) return found.error();
  // Written but not yet acknowledged: not visible, as in read_partition.
  if (found->empty() || found->front().position != at) return std::optional<RecordedCommit>();
  return std::optional<RecordedCommit>(std::move(found->front()));
}

std::string RocksDbLog::fault() { return sync_failed_ ? sync_error_ : write_fault_->why(); }

bool RocksDbLog::wait_published(Position at, std::chrono::milliseconds timeout) {
  if (options_.replica || !options_.secondary_path.empty()) return true;  // published as written
  std::unique_lock lock(published_mutex_);
  return published_cv_.wait_for(lock, timeout, [&] { return published_end_[at.partition] > at.offset; });
}

std::vector<std::uint64_t> RocksDbLog::end_offsets() {
  std::lock_guard lock(published_mutex_);
  return published_end_;
}

std::size_t RocksDbLog::cached_heads() { return cached_heads_.load(); }

std::uint64_t RocksDbLog::publication_sequence() {
  std::lock_guard lock(published_mutex_);
  return publication_sequence_;
}

std::uint64_t RocksDbLog::wait_for_commits(std::uint64_t seen_sequence, std::chrono::milliseconds timeout) {
  std::unique_lock lock(published_mutex_);
  published_cv_.wait_for(lock, timeout, [&] { return publication_sequence_ != seen_sequence; });
  return publication_sequence_;
}

std::unique_ptr<Subscription> RocksDbLog::subscribe(std::vector<std::uint64_t> from, CommitHandler handler) {
  return std::make_unique<RocksDbSubscription>(*this, std::move(from), std::move(handler));
}

}  // namespace ticketing
