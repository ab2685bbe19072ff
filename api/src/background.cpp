#include "api/background.hpp"

namespace ticketing::api {

Background::Background(std::size_t capacity) : capacity_(capacity), thread_([this] { run(); }) {}

Background::~Background() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool Background::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= capacity_) return false;
    jobs_.push_back(std::move(job));
    ++submitted_;
  }
  cv_.notify_one();
  return true;
}

void Background::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and everything queued has run
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
    ++done_;
    done_cv_.notify_all();
  }
}

void Background::flush() {
  std::unique_lock lock(mutex_);
  std::uint64_t const target = submitted_;
  done_cv_.wait(lock, [&] { return done_ >= target; });
}

}  // namespace ticketing::api
