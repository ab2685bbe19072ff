#pragma once
// The source of "now" for everything impure (the domain gets time as an
// argument). Tests substitute a clock they move by hand.

#include <atomic>

#include "domain/time.hpp"

namespace ticketing {

class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual Instant now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] Instant now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

}  // namespace ticketing
