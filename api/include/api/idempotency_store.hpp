#pragma once
// Responses to requests that carried an Idempotency-Key, kept 24 hours, so a
// repeated key from the same user gets the first response (same status, same
// body). Requests with the same key are serialised in-process by `lock`.

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/http_message.hpp"
#include "eventstore/response_store.hpp"

namespace ticketing::api {

class IdempotencyStore {
 public:
  explicit IdempotencyStore(ResponseStore& store) : store_(store) {}

  [[nodiscard]] std::optional<HttpResponse> find(std::string const& slot, Instant now) const;
  void store(std::string const& slot, HttpResponse const& response, Instant now);
  // A mutex that every request using `slot` holds while it runs.
  [[nodiscard]] std::mutex& lock(std::string const& slot);

 private:
  ResponseStore& store_;
  std::array<std::mutex, 64> locks_;
};

}  // namespace ticketing::api
