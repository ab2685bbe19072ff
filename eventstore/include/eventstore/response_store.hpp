#pragma once
// Values remembered by key for a limited time, durably (RocksDB, synced):
// the HTTP API keeps the first response to each Idempotency-Key here. This
// is state of the API, not derived from the log, so it has its own database.
// Thread safety: all members may be called from any thread.

#include <memory>
#include <optional>
#include <string>

#include "domain/result.hpp"
#include "domain/time.hpp"

namespace rocksdb {
class DB;
}

namespace ticketing {

class ResponseStore {
 public:
  [[nodiscard]] static Result<std::unique_ptr<ResponseStore>> open(std::string const& path);
  ~ResponseStore();
  ResponseStore(ResponseStore const&) = delete;
  ResponseStore& operator=(ResponseStore const&) = delete;

  // The value stored under `key` less than `ttl` before `now`.
  [[nodiscard]] std::optional<std::string> find(std::string const& key, Instant now, Duration ttl) const;
  // Durable when it returns; unavailable if storage failed.
  [[nodiscard]] Result<void> store(std::string const& key, std::string const& value, Instant now);

 private:
  explicit ResponseStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace ticketing
