#pragma once
// Buyers of one ticket released at once, and what they were answered
// (test-only).

#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "http_client.hpp"

namespace ticketing::testing {

// The answers of buyers racing for one ticket: the order (201), the refusal
// "Ticket is already reserved" (400), or anything else (reported).
struct RushAnswers {
  std::atomic<int> created{0}, refused{0}, other{0};

  void count(HttpResult const& r) {
    if (r.status == 201) {
      ++created;
    } else if (r.status == 400 && r.error_message() == "Ticket is already reserved") {
      ++refused;
    } else {
      ++other;
      MESSAGE("unexpected " << r.status << " " << r.body);
    }
  }
};

// Runs buy(0) .. buy(n - 1), each on its own thread, all released at once;
// `meanwhile` runs on the caller's thread once they are released. Returns
// when every buy has returned.
template <class Buy, class Meanwhile>
void rush(std::size_t n, Buy buy, Meanwhile meanwhile) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      buy(i);
    });
  }
  go = true;
  meanwhile();
  for (auto& t : threads) t.join();
}
template <class Buy>
void rush(std::size_t n, Buy buy) {
  rush(n, buy, [] {});
}

}  // namespace ticketing::testing
