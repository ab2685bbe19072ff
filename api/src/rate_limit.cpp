#include "api/rate_limit.hpp"

#include <algorithm>

namespace ticketing::api {

RateLimit::RateLimit(std::size_t max, Duration window, std::size_t max_keys)
    : max_(max), window_(window), max_keys_(max_keys) {}

std::optional<std::int64_t> RateLimit::reserve(std::string const& key, Instant now, std::size_t elsewhere) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_keys_ && !entries_.contains(key)) make_room(now);
  Entry& e = entries_[key];
  while (!e.events.empty() && e.events.front() + window_ <= now) e.events.pop_front();
  std::size_t const events = std::max(e.events.size(), elsewhere);
  if (events + e.held < max_) {
    ++e.held;
    return std::nullopt;
  }
  // Full: a slot frees when the oldest event here ages out, or (held slots,
  // events kept elsewhere) soon.
  if (e.events.size() < max_) return 1;
  auto const wait = std::chrono::duration_cast<std::chrono::milliseconds>(e.events.front() + window_ - now).count();
  return std::max<std::int64_t>(1, (wait + 999) / 1000);
}

void RateLimit::count(std::string const& key, Instant now) {
  std::lock_guard lock(mutex_);
  Entry& e = entries_[key];
  if (e.held > 0) --e.held;
  e.events.push_back(now);
  while (e.events.size() > max_) e.events.pop_front();
}

void RateLimit::release(std::string const& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (it->second.held > 0) --it->second.held;
  if (it->second.held == 0 && it->second.events.empty()) entries_.erase(it);
}

void RateLimit::clear(std::string const& key) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) it->second.events.clear();
}

void RateLimit::make_room(Instant now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    bool const idle = it->second.held == 0 && (it->second.events.empty() || it->second.events.back() + window_ <= now);
    it = idle ? entries_.erase(it) : std::next(it);
  }
  // Still full of live keys: forget one that holds no slot. Bounded memory
  // wins over an exact count for that one key.
  if (entries_.size() >= max_keys_) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.held == 0) {
        entries_.erase(it);
        break;
      }
    }
  }
}

}  // namespace ticketing::api
