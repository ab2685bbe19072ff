#include "processes/timer_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "encoding/byte_order.hpp"
#include "eventstore/small_store.hpp"

namespace ticketing {
namespace {

Error storage_error(rocksdb::Status const& s) { return ticketing::storage_error("timer storage", s); }

std::string timer_key(TimerKind kind, std::string const& id) {
  return std::string("t/") + static_cast<char>(kind) + id;
}
std::string timer_value(Timer const& t) {
  std::string v;
  bytes::put_be64(v, static_cast<std::uint64_t>(to_millis(t.due)));
  v += t.payload;
  return v;
}

}  // namespace

Result<std::unique_ptr<TimerStore>> TimerStore::open(std::string const& path, std::uint32_t partitions,
                                                     rocksdb::Env* env) {
  auto db = open_small_store(path, "timer storage", env);
  if (!db) return db.error();
  return std::unique_ptr<TimerStore>(new TimerStore(std::move(*db), partitions));
}

TimerStore::TimerStore(std::unique_ptr<rocksdb::DB> db, std::uint32_t partitions)
    : db_(std::move(db)), partitions_(partitions) {}

TimerStore::~TimerStore() {
  if (db_) db_->Close();
}

Result<void> TimerStore::apply(std::vector<Change> const& changes,
                               std::map<std::uint32_t, std::uint64_t> const& checkpoints) {
  rocksdb::WriteBatch batch;
  for (auto const& c : changes) {
    if (c.add) {
      batch.Put(timer_key(c.timer.kind, c.timer.id), timer_value(c.timer));
    } else {
      batch.Delete(timer_key(c.timer.kind, c.timer.id));
    }
  }
  for (auto const& [partition, offset] : checkpoints) checkpoints::put(batch, partition, offset);
  // Not synced: the timers travel with their checkpoint, so a write lost in
  // a power failure takes its checkpoint with it, and the saga re-reads those
  // commits from the (synced) log and records the same timers again.
  auto const status = db_->Write(rocksdb::WriteOptions(), &batch);
  if (!status.ok()) return storage_error(status);
  return {};
}

Result<void> TimerStore::put(Timer const& timer) {
  auto const status = db_->Put(rocksdb::WriteOptions(), timer_key(timer.kind, timer.id), timer_value(timer));
  if (!status.ok()) return storage_error(status);
  return {};
}

Result<void> TimerStore::remove(TimerKey const& key) {
  auto const status = db_->Delete(rocksdb::WriteOptions(), timer_key(key.kind, key.id));
  if (!status.ok()) return storage_error(status);
  return {};
}

Result<std::vector<Timer>> TimerStore::all() const {
  std::vector<Timer> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("t/"); it->Valid() && it->key().starts_with("t/"); it->Next()) {
    auto const key = it->key().ToStringView();
    auto const value = it->value().ToStringView();
    if (key.size() < 3 || value.size() < 8) continue;
    out.push_back(Timer{from_millis(static_cast<std::int64_t>(bytes::get_be64(value))), static_cast<TimerKind>(key[2]),
                        std::string(key.substr(3)), std::string(value.substr(8))});
  }
  // The loop also ends at a block that cannot be read: only the status tells.
  if (!it->status().ok()) return storage_error(it->status());
  return out;
}

std::vector<std::uint64_t> TimerStore::checkpoints() const {
  // Unreadable: from the start. Safe: the saga records the same timers again,
  // and a timer's command, with its commit id, acts once.
  auto read = checkpoints::read_all(*db_, partitions_);
  return read ? std::move(*read) : std::vector<std::uint64_t>(partitions_, 0);
}

}  // namespace ticketing
