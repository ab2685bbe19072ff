#pragma once
// Limits on attempts per key (a client address, an account) in a sliding
// window, taken as reservations: an attempt holds a slot from before its
// outcome is known until it is counted or released, so concurrent attempts
// cannot slip past a limit together. Bounded memory: at most `max_keys` keys
// (those whose events have aged out go first). Thread-safe.

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "domain/time.hpp"

namespace ticketing::api {

class RateLimit {
 public:
  RateLimit(std::size_t max, Duration window, std::size_t max_keys = 100'000);

  // Takes a slot under `key` unless `max` are already counted: the events
  // within the window, being the larger of those counted here and
  // `elsewhere` (kept elsewhere, e.g. failures recorded in an account's
  // stream, which include other processes' and those from before a
  // restart), plus the slots still held. nullopt when taken; else the seconds
  // to wait (at least 1).
  [[nodiscard]] std::optional<std::int64_t> reserve(std::string const& key, Instant now, std::size_t elsewhere = 0);
  // The attempt holding a slot counts as an event at `now`.
  void count(std::string const& key, Instant now);
  // The attempt holding a slot ends without counting here.
  void release(std::string const& key);
  // Forgets the events counted under `key` (held slots stay held): what a
  // successful sign-in does to an account's failures.
  void clear(std::string const& key);

 private:
  struct Entry {
    std::deque<Instant> events;  // within the window, oldest first
    std::size_t held{0};
  };
  void make_room(Instant now);

  std::size_t max_;
  Duration window_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

// One slot of a RateLimit, released unless counted (RAII).
class Reservation {
 public:
  Reservation() = default;
  Reservation(RateLimit& limit, std::string key) : limit_(&limit), key_(std::move(key)) {}
  Reservation(Reservation&& other) noexcept
      : limit_(std::exchange(other.limit_, nullptr)), key_(std::move(other.key_)) {}
  Reservation& operator=(Reservation&&) = delete;
  Reservation(Reservation const&) = delete;
  ~Reservation() {
    if (limit_ != nullptr) limit_->release(key_);
  }
  void count(Instant now) {
    if (limit_ != nullptr) std::exchange(limit_, nullptr)->count(key_, now);
  }

 private:
  RateLimit* limit_{nullptr};
  std::string key_;
};

}  // namespace ticketing::api
