#pragma once
// Polls `probe` until it returns true or `timeout` passes; true if it did
// (test-only). For effects that arrive asynchronously: a timer, a projection,
// another node.

#include <chrono>
#include <thread>

namespace ticketing::testing {

template <class F>
bool eventually(F probe, std::chrono::milliseconds timeout = std::chrono::milliseconds(20000)) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return probe();
}

}  // namespace ticketing::testing
