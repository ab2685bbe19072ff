#include "eventstore/small_store.hpp"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch_base.h>

#include "encoding/byte_order.hpp"
#include "eventstore/store_files.hpp"

namespace ticketing {
namespace {

// `env`: as for open_small_store.
rocksdb::Options small_options(rocksdb::Env* env) {
  rocksdb::Options options;
  if (env != nullptr) options.env = env;
  options.create_if_missing = true;
  options.write_buffer_size = 4 << 20;
  bound_diagnostic_log(options);
  return options;
}

Result<std::unique_ptr<rocksdb::DB>> open_with(rocksdb::Options const& options, std::string const& path,
                                               std::string_view what) {
  rocksdb::DB* raw = nullptr;
  auto const status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) return make_error(ErrorCode::unavailable, std::string(what) + ": " + status.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  // Never stored: written and deleted at once, to switch the memtable.
  drop_spent_wal_files(*db, path, {db->DefaultColumnFamily()}, "\x01wal-roll");
  return db;
}

// Stored value: be64 milliseconds since the epoch when stored, then the value.
std::optional<Instant> stored_at(std::string_view value) {
  if (value.size() < 8) return std::nullopt;
  return from_millis(static_cast<std::int64_t>(bytes::get_be64(value)));
}

}  // namespace

Result<std::unique_ptr<rocksdb::DB>> open_small_store(std::string const& path, std::string_view what,
                                                      rocksdb::Env* env, SmallStoreReads reads) {
  rocksdb::Options options = small_options(env);
  if (reads == SmallStoreReads::mostly_misses) {
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    options.memtable_prefix_bloom_size_ratio = 0.05;
    options.memtable_whole_key_filtering = true;
  }
  return open_with(options, path, what);
}

Error storage_error(std::string_view what, rocksdb::Status const& status) {
  return make_error(ErrorCode::unavailable, std::string(what) + " failed: " + status.ToString());
}

namespace checkpoints {

std::string key(std::uint32_t partition) {
  std::string k = "c/";
  bytes::put_be32(k, partition);
  return k;
}

void put(rocksdb::WriteBatchBase& batch, std::uint32_t partition, std::uint64_t next) {
  std::string value;
  bytes::put_be64(value, next);
  (void)batch.Put(key(partition), value);  // staging in memory: only the batch's write can fail
}

Result<std::uint64_t> read(rocksdb::DB& db, std::uint32_t partition) {
  std::string value;
  auto const status = db.Get(rocksdb::ReadOptions(), key(partition), &value);
  if (status.IsNotFound()) return std::uint64_t{0};
  if (!status.ok()) return storage_error("checkpoint storage", status);
  if (value.size() != 8) return make_error(ErrorCode::internal, "a checkpoint is not 8 bytes");
  return bytes::get_be64(value);
}

Result<std::vector<std::uint64_t>> read_all(rocksdb::DB& db, std::uint32_t partitions) {
  std::vector<std::uint64_t> out(partitions, 0);
  for (std::uint32_t p = 0; p < partitions; ++p) {
    auto next = read(db, p);
    if (!next) return next.error();
    out[p] = *next;
  }
  return out;
}

}  // namespace checkpoints

class ExpiringStore::DropExpired final : public rocksdb::CompactionFilter {
 public:
  explicit DropExpired(Duration ttl) : ttl_(ttl) {}
  bool Filter(int /*level*/, rocksdb::Slice const& /*key*/, rocksdb::Slice const& value, std::string* /*new_value*/,
              bool* /*value_changed*/) const override {
    auto const at = stored_at(std::string_view(value.data(), value.size()));
    auto const now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    return !at || now - *at >= ttl_;
  }
  [[nodiscard]] char const* Name() const override { return "ticketing.DropExpired"; }

 private:
  Duration ttl_;
};

Result<std::unique_ptr<ExpiringStore>> ExpiringStore::open(std::string const& path, std::string_view what, Duration ttl,
                                                           rocksdb::Env* env) {
  auto filter = std::make_unique<DropExpired>(ttl);
  rocksdb::Options options = small_options(env);
  options.compaction_filter = filter.get();
  options.periodic_compaction_seconds =
      std::uint64_t{24} * 60 * 60;  // expired entries go even if nothing else is written
  auto db = open_with(options, path, what);
  if (!db) return db.error();
  return std::unique_ptr<ExpiringStore>(new ExpiringStore(std::move(filter), std::move(*db), std::string(what), ttl));
}

ExpiringStore::ExpiringStore(std::unique_ptr<DropExpired> filter, std::unique_ptr<rocksdb::DB> db, std::string what,
                             Duration ttl)
    : filter_(std::move(filter)), db_(std::move(db)), what_(std::move(what)), ttl_(ttl) {}

ExpiringStore::~ExpiringStore() {
  if (db_) db_->Close();
  db_.reset();
}

std::optional<std::string> ExpiringStore::find(std::string const& key, Instant now) const {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), key, &value).ok()) return std::nullopt;
  auto const at = stored_at(value);
  if (!at || now - *at >= ttl_) return std::nullopt;
  return value.substr(8);
}

Result<void> ExpiringStore::store(std::string const& key, std::string const& value, Instant now) {
  std::string stored;
  bytes::put_be64(stored, static_cast<std::uint64_t>(to_millis(now)));
  stored += value;
  rocksdb::WriteOptions sync;
  sync.sync = true;
  auto const status = db_->Put(sync, key, stored);
  if (!status.ok()) return make_error(ErrorCode::unavailable, what_ + ": " + status.ToString());
  return {};
}

}  // namespace ticketing
