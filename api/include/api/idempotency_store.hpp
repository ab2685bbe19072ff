#pragma once
// Responses to requests that carried an Idempotency-Key, kept 24 hours, so a
// repeated key from the same user gets the first response (same status, same
// body). Its own RocksDB database: this is API state, not derived from the log.
// Requests with the same key are serialised in-process by `lock`.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/http_message.hpp"
#include "domain/time.hpp"

namespace rocksdb {
class DB;
}

namespace ticketing::api {

class IdempotencyStore {
 public:
  [[nodiscard]] static std::unique_ptr<IdempotencyStore> open(std::string const& path, std::string& error);
  ~IdempotencyStore();

  // The stored response for `slot` if recorded within 24 hours before `now`.
  [[nodiscard]] std::optional<HttpResponse> find(std::string const& slot, Instant now) const;
  void store(std::string const& slot, HttpResponse const& response, Instant now);
  // A mutex that every request using `slot` holds while it runs.
  [[nodiscard]] std::mutex& lock(std::string const& slot);

 private:
  explicit IdempotencyStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
  std::array<std::mutex, 64> locks_;
};

}  // namespace ticketing::api
