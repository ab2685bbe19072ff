#pragma once
// A clock tests move by hand (test-only).

#include <atomic>

#include "application/clock.hpp"

namespace ticketing::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : ms_(to_millis(start)) {}
  [[nodiscard]] Instant now() const override { return from_millis(ms_.load()); }
  void advance(Duration d) { ms_ += d.count(); }

 private:
  std::atomic<std::int64_t> ms_;
};

}  // namespace ticketing::testing
