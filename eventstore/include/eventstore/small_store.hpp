#pragma once
// The small RocksDB databases beside the log (the API's replies to
// Idempotency-Keys, the saga's timers, the sandbox gateway's records):
// created if missing, with a small write buffer, since little is written to
// them. Storage only: what is kept in them belongs to the folder that keeps it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"
#include "domain/time.hpp"

namespace rocksdb {
class DB;
class Env;
class Status;
class WriteBatchBase;
}  // namespace rocksdb

namespace ticketing {

// How a small store is read. `mostly_misses`: point lookups of keys that are
// usually absent, on a hot path; bloom filters in its files and memtable let
// a miss read no block.
enum class SmallStoreReads { any, mostly_misses };

// unavailable, naming `what`, if the database cannot be opened (for example
// while another process holds it). `env`: the file system to use; null: the
// default (tests pass one whose disk fails on demand; it must outlive the
// database).
[[nodiscard]] Result<std::unique_ptr<rocksdb::DB>> open_small_store(std::string const& path, std::string_view what,
                                                                    rocksdb::Env* env = nullptr,
                                                                    SmallStoreReads reads = SmallStoreReads::any);

// unavailable: "<what> failed: <RocksDB's status>" (for the operator's log;
// the API never shows an unavailable error's text).
[[nodiscard]] Error storage_error(std::string_view what, rocksdb::Status const& status);

// Per-partition checkpoints of a store that follows the log (the read models,
// the saga's timers): for each partition, the offset of the next commit to
// take. Kept under "c/<be32 partition>" in the same write as what they cover,
// so after a crash a store holds a commit's effects exactly when it holds its
// checkpoint.
namespace checkpoints {
[[nodiscard]] std::string key(std::uint32_t partition);
void put(rocksdb::WriteBatchBase& batch, std::uint32_t partition, std::uint64_t next);
// 0 for a partition with none; unavailable if storage failed.
[[nodiscard]] Result<std::uint64_t> read(rocksdb::DB& db, std::uint32_t partition);
[[nodiscard]] Result<std::vector<std::uint64_t>> read_all(rocksdb::DB& db, std::uint32_t partitions);
}  // namespace checkpoints

// Values remembered by key for `ttl`, durably (each write synced). An entry
// older than `ttl` is never returned and is dropped when RocksDB compacts
// (by the wall clock, so storage stays bounded by what `ttl` lets in).
// Thread safety: all members may be called from any thread.
class ExpiringStore {
 public:
  // `env` as for open_small_store.
  [[nodiscard]] static Result<std::unique_ptr<ExpiringStore>> open(std::string const& path, std::string_view what,
                                                                   Duration ttl, rocksdb::Env* env = nullptr);
  ~ExpiringStore();
  ExpiringStore(ExpiringStore const&) = delete;
  ExpiringStore& operator=(ExpiringStore const&) = delete;

  // The value stored under `key` less than `ttl` before `now`.
  [[nodiscard]] std::optional<std::string> find(std::string const& key, Instant now) const;
  // Durable when it returns; unavailable if storage failed.
  [[nodiscard]] Result<void> store(std::string const& key, std::string const& value, Instant now);

 private:
  class DropExpired;
  ExpiringStore(std::unique_ptr<DropExpired> filter, std::unique_ptr<rocksdb::DB> db, std::string what, Duration ttl);
  std::unique_ptr<DropExpired> filter_;  // outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  std::string what_;
  Duration ttl_;
};

}  // namespace ticketing
