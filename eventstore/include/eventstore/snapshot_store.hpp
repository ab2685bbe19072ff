#pragma once
// Write-side snapshots: a stream's folded state at one of its versions, so
// that a command on a long stream (a user's sign-ins, a ticket's price
// changes) reads and folds only the events after it instead of the whole
// stream. Derived data, kept beside the log in a RocksDB database of its own:
// a snapshot lost, damaged, of an unknown format, or not matching the log is
// ignored and the stream is folded from its start, so nothing here is synced,
// nothing depends on a write succeeding, and a store never waits for the
// disk (snapshots are written out by RocksDB's flushes, without a
// write-ahead log: a crash loses those since the last flush).

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/result.hpp"
#include "eventstore/commit.hpp"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace ticketing {

struct Snapshot {
  std::int64_t version{kNoStream};  // the stream's version the state folds up to
  Position position;                // where the log holds the stream's event at `version`
  std::string format;               // names the state's type and layout (SnapshotFormat::name)
  std::string state;                // the state, as `format` writes it
  friend bool operator==(Snapshot const&, Snapshot const&) = default;
};

// Thread safety: all members may be called from any thread.
class SnapshotStore {
 public:
  // unavailable if the database cannot be opened. `env`: as for
  // open_small_store (tests pass a disk that fails on demand).
  [[nodiscard]] static Result<std::unique_ptr<SnapshotStore>> open(std::string const& path,
                                                                   rocksdb::Env* env = nullptr);
  ~SnapshotStore();
  SnapshotStore(SnapshotStore const&) = delete;
  SnapshotStore& operator=(SnapshotStore const&) = delete;

  // The stream's latest snapshot; none if there is none, or it cannot be
  // read or is damaged.
  [[nodiscard]] std::optional<Snapshot> find(std::string const& stream) const;
  // Replaces the stream's snapshot, in memory: a crash before the next
  // flush loses it (the stream is then folded from an older one, or from
  // its start); a clean close keeps it. Never waits for the disk.
  // unavailable if storage failed or the store's flushes have fallen
  // behind.
  [[nodiscard]] Result<void> store(std::string const& stream, Snapshot const& snapshot);

  // Since the store opened: snapshots stored, and stores that failed.
  [[nodiscard]] std::uint64_t stored() const noexcept { return stored_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t failed() const noexcept { return failed_.load(std::memory_order_relaxed); }

 private:
  explicit SnapshotStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<std::uint64_t> stored_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace ticketing
