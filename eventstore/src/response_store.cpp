#include "eventstore/response_store.hpp"

#include <rocksdb/db.h>

#include "eventstore/small_store.hpp"
#include "keys.hpp"

namespace ticketing {

Result<std::unique_ptr<ResponseStore>> ResponseStore::open(std::string const& path) {
  auto db = open_small_store(path, "response store");
  if (!db) return db.error();
  return std::unique_ptr<ResponseStore>(new ResponseStore(std::move(*db)));
}

ResponseStore::ResponseStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

ResponseStore::~ResponseStore() {
  if (db_) db_->Close();
}

std::optional<std::string> ResponseStore::find(std::string const& key, Instant now, Duration ttl) const {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), key, &value).ok() || value.size() < 8) return std::nullopt;
  auto const at = from_millis(static_cast<std::int64_t>(keys::get_be64(value)));
  if (now - at >= ttl) return std::nullopt;
  return value.substr(8);
}

Result<void> ResponseStore::store(std::string const& key, std::string const& value, Instant now) {
  std::string stored;
  keys::put_be64(stored, static_cast<std::uint64_t>(to_millis(now)));
  stored += value;
  rocksdb::WriteOptions sync;
  sync.sync = true;
  auto const status = db_->Put(sync, key, stored);
  if (!status.ok()) return make_error(ErrorCode::unavailable, "response store: " + status.ToString());
  return {};
}

}  // namespace ticketing
