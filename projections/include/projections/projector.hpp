#pragma once
// Keeps the read models up to date: subscribes to the log from the views'
// checkpoints and applies every commit, then tells whoever waits for a
// position that it is visible (read-your-writes).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "eventstore/event_log.hpp"
#include "projections/view_store.hpp"

namespace ticketing::views {

class Projector {
 public:
  Projector(EventLog& log, ViewStore& store);
  ~Projector();  // stops

  void start();
  void stop();

  // Calls `ready` once the commit at `position` is visible in the views, on
  // the projector's thread or, if it already is, right away on the caller's.
  // `ready` must not block.
  void when_applied(Position position, std::function<void()> ready);
  // Blocking form; false on timeout.
  bool wait_applied(Position position, std::chrono::milliseconds timeout);

  // Per partition, the next offset to apply.
  [[nodiscard]] std::vector<std::uint64_t> applied() const;
  // Commits in the log not yet in the views, summed over partitions.
  [[nodiscard]] std::uint64_t lag() const;
  // The last storage error, if applying stopped on one (empty when healthy).
  [[nodiscard]] std::string fault() const;

 private:
  void on_commits(std::span<RecordedCommit const> commits);

  EventLog& log_;
  ViewStore& store_;
  std::unique_ptr<Subscription> subscription_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;
  std::vector<std::uint64_t> applied_;
  std::vector<std::multimap<std::uint64_t, std::function<void()>>> waiters_;  // per partition, by offset
  std::string fault_;
};

}  // namespace ticketing::views
