// A snapshot is stored under its stream's name. Its value:
//
//   value = version partition offset format state
//   version = zigzag varint; partition, offset = varint
//   format, state = varint length, then the bytes

#include "eventstore/snapshot_store.hpp"

#include <rocksdb/db.h>

#include "encoding/varint.hpp"
#include "eventstore/small_store.hpp"

namespace ticketing {
namespace {

void put_bytes(std::string& out, std::string_view bytes) {
  varint::put(out, bytes.size());
  out.append(bytes);
}

bool get_bytes(std::string_view& in, std::string& out) {
  std::uint64_t n = 0;
  if (!varint::get(in, n) || n > in.size()) return false;
  out.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

std::string encode(Snapshot const& s) {
  std::string out;
  out.reserve(24 + s.format.size() + s.state.size());
  varint::put_signed(out, s.version);
  varint::put(out, s.position.partition);
  varint::put(out, s.position.offset);
  put_bytes(out, s.format);
  put_bytes(out, s.state);
  return out;
}

std::optional<Snapshot> decode(std::string_view in) {
  Snapshot s;
  std::uint64_t partition = 0;
  if (!varint::get_signed(in, s.version) || !is_expected_version(s.version) || s.version < 0) return std::nullopt;
  if (!varint::get(in, partition) || partition > UINT32_MAX) return std::nullopt;
  s.position.partition = static_cast<std::uint32_t>(partition);
  if (!varint::get(in, s.position.offset)) return std::nullopt;
  if (!get_bytes(in, s.format) || !get_bytes(in, s.state) || !in.empty()) return std::nullopt;
  return s;
}

}  // namespace

Result<std::unique_ptr<SnapshotStore>> SnapshotStore::open(std::string const& path, rocksdb::Env* env) {
  // Looked up on every first load of a stream, and most streams have none.
  auto db = open_small_store(path, "the write-side snapshots", env, SmallStoreReads::mostly_misses);
  if (!db) return db.error();
  return std::unique_ptr<SnapshotStore>(new SnapshotStore(std::move(*db)));
}

SnapshotStore::SnapshotStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

SnapshotStore::~SnapshotStore() {
  if (db_) db_->Close();
}

std::optional<Snapshot> SnapshotStore::find(std::string const& stream) const {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), stream, &value).ok()) return std::nullopt;
  return decode(value);
}

Result<void> SnapshotStore::store(std::string const& stream, Snapshot const& snapshot) {
  // Called during a command's decision: no write-ahead log (so no disk
  // write here; RocksDB's flushes write the snapshots out, and a clean
  // close writes what remains) and no waiting for room (a store whose
  // flushes fall behind refuses instead).
  rocksdb::WriteOptions in_memory;
  in_memory.disableWAL = true;
  in_memory.no_slowdown = true;
  auto const status = db_->Put(in_memory, stream, encode(snapshot));
  if (!status.ok()) {
    failed_.fetch_add(1, std::memory_order_relaxed);
    return storage_error("a write-side snapshot", status);
  }
  stored_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

}  // namespace ticketing
