#include "projections/projector.hpp"

#include <future>
#include <thread>

namespace ticketing::views {

Projector::Projector(EventLog& log, ViewStore& store)
    : log_(log), store_(store), applied_(store.checkpoints()), waiters_(log.partition_count()) {}

Projector::~Projector() { stop(); }

void Projector::start() {
  stopping_ = false;
  if (subscription_) return;
  subscription_ = log_.subscribe(store_.checkpoints(), [this](std::span<RecordedCommit const> c) { on_commits(c); });
}

void Projector::stop() {
  stopping_ = true;  // a retry loop below gives up, so the subscription can stop
  if (subscription_) subscription_->stop();
  subscription_.reset();
}

void Projector::on_commits(std::span<RecordedCommit const> commits) {
  // A storage fault is retried: these commits must be applied before the
  // next. Stopping gives up: nothing of them was applied, so the checkpoint
  // still points before them and the next start delivers them again.
  for (int attempt = 0;; ++attempt) {
    auto applied = store_.apply(commits);
    if (applied) break;
    if (stopping_) return;
    {
      std::lock_guard lock(mutex_);
      fault_ = applied.error().message;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1000, 10 << std::min(attempt, 6))));
  }
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mutex_);
    fault_.clear();
    for (auto const& commit : commits) {
      auto const p = commit.position.partition;
      applied_[p] = std::max(applied_[p], commit.position.offset + 1);
    }
    for (std::size_t p = 0; p < waiters_.size(); ++p) {
      auto& waiting = waiters_[p];
      auto const end = waiting.lower_bound(applied_[p]);  // offsets below the applied mark are visible
      for (auto it = waiting.begin(); it != end; ++it) ready.push_back(std::move(it->second));
      waiting.erase(waiting.begin(), end);
    }
  }
  for (auto& f : ready) f();
}

void Projector::when_applied(Position position, std::function<void()> ready) {
  {
    std::lock_guard lock(mutex_);
    if (applied_[position.partition] <= position.offset) {
      waiters_[position.partition].emplace(position.offset, std::move(ready));
      return;
    }
  }
  ready();
}

bool Projector::wait_applied(Position position, std::chrono::milliseconds timeout) {
  {
    std::lock_guard lock(mutex_);
    if (applied_[position.partition] > position.offset) return true;  // visible already: nothing to wait for
  }
  // One waiter, one wake-up: the waiter is told when its own position is
  // applied, instead of every waiter re-checking on every commit.
  auto done = std::make_shared<std::promise<void>>();
  auto ready = done->get_future();
  when_applied(position, [done] { done->set_value(); });
  return ready.wait_for(timeout) == std::future_status::ready;
}

std::vector<std::uint64_t> Projector::applied() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

std::uint64_t Projector::lag() const { return commits_behind(log_.end_offsets(), applied()); }

std::string Projector::fault() const {
  std::lock_guard lock(mutex_);
  return fault_;
}

}  // namespace ticketing::views
