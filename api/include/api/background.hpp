#pragma once
// One thread running jobs in order, off the request path, behind a bounded
// queue. Failed sign-ins are recorded here after the answer, so a wrong
// password and an unknown e-mail take the same time. The destructor runs
// what is queued, then stops. Thread-safe.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace ticketing::api {

class Background {
 public:
  explicit Background(std::size_t capacity);
  ~Background();
  Background(Background const&) = delete;
  Background& operator=(Background const&) = delete;

  // Queues `job`; false when the queue is full (the caller runs it itself).
  [[nodiscard]] bool submit(std::function<void()> job);
  // Returns once every job submitted before this call has run (so what
  // follows is ordered after them).
  void flush();

 private:
  void run();
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable done_cv_;
  std::uint64_t submitted_{0};
  std::uint64_t done_{0};
  std::deque<std::function<void()>> jobs_;
  bool stopping_{false};
  std::thread thread_;
};

}  // namespace ticketing::api
