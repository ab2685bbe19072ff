#pragma once
// Responses to requests that carried an Idempotency-Key, kept 24 hours (the
// store's ttl; see kIdempotencyWindow), so a repeated key from the same user
// gets the first response (same status, same body). Requests with the same
// key are serialised in-process by `lock`.
//
// This is a cache of replies, not the guarantee: the commit id of such a
// request is derived from the user, route and key, and the log gives a
// command whose commit already landed its first outcome. So a reply lost with
// a crash before it was kept here is rendered again from that commit.

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "api/http_message.hpp"
#include "eventstore/small_store.hpp"

namespace ticketing::api {

inline constexpr Duration kIdempotencyWindow = std::chrono::hours(24);

class IdempotencyStore {
 public:
  explicit IdempotencyStore(ExpiringStore& store) : store_(store) {}

  [[nodiscard]] std::optional<HttpResponse> find(std::string const& slot, Instant now) const;
  void store(std::string const& slot, HttpResponse const& response, Instant now);
  // A mutex that every request using `slot` holds while it runs.
  [[nodiscard]] std::mutex& lock(std::string const& slot);

 private:
  ExpiringStore& store_;
  std::array<std::mutex, 64> locks_;
};

}  // namespace ticketing::api
