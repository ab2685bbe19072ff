#pragma once
// A log that passes everything to another (test-only), except that the test
// can hold reads of partitions (they wait until released) or make them fail
// as a storage fault would, and make appends fail before or after storing.
// For what readers do while a read is slow or broken (the analytics route
// while a computation runs, the events feed when the log cannot be read),
// and what a command's answer is when its commit fails.

#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "eventstore/event_log.hpp"

namespace ticketing::testing {

class GatedLog final : public EventLog {
 public:
  explicit GatedLog(EventLog& inner) : inner_(inner) {}

  void hold_reads() {
    std::lock_guard const lock(mutex_);
    held_ = true;
  }
  void release_reads() {
    {
      std::lock_guard const lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }
  // How appends fail: not at all (passed on), before the commit is stored
  // (nothing written), or after (stored and durable, but the caller is told
  // it failed, as when an answer is lost).
  enum class AppendFault { none, before_storing, after_storing };
  void fail_appends(AppendFault fault) {
    std::lock_guard const lock(mutex_);
    append_fault_ = fault;
  }
  void fail_reads(bool fail) {
    std::lock_guard const lock(mutex_);
    failing_ = fail;
    fail_after_ = fail ? 0 : UINT64_MAX;
  }
  // Partition reads past the first `reads` (counted from now) fail.
  void fail_reads_after(std::uint64_t reads) {
    std::lock_guard const lock(mutex_);
    fail_after_ = reads_ + reads;
  }
  // Partition reads waiting for release_reads() now; partition reads begun.
  [[nodiscard]] int waiting() {
    std::lock_guard const lock(mutex_);
    return waiting_;
  }
  [[nodiscard]] std::uint64_t partition_reads() {
    std::lock_guard const lock(mutex_);
    return reads_;
  }

  [[nodiscard]] std::uint32_t partition_count() const noexcept override { return inner_.partition_count(); }
  void append_async(Commit commit, AppendCallback done) override {
    AppendFault fault = AppendFault::none;
    {
      std::lock_guard const lock(mutex_);
      fault = append_fault_;
    }
    if (fault == AppendFault::before_storing) {
      return done(make_error(ErrorCode::unavailable, "event log storage: injected write fault"));
    }
    if (fault == AppendFault::after_storing) {
      return inner_.append_async(std::move(commit), [done = std::move(done)](Result<AppendResult> stored) {
        done(stored ? Result<AppendResult>(make_error(ErrorCode::unavailable,
                                                      "event log storage: injected fault after "
                                                      "storing"))
                    : stored);
      });
    }
    inner_.append_async(std::move(commit), std::move(done));
  }
  Result<std::vector<RecordedEvent>> read_stream(std::string const& stream, std::int64_t from_version) override {
    return inner_.read_stream(stream, from_version);
  }
  Result<std::int64_t> stream_version(std::string const& stream) override { return inner_.stream_version(stream); }
  Result<std::vector<RecordedCommit>> read_partition(std::uint32_t partition, std::uint64_t from_offset,
                                                     std::size_t max) override {
    if (auto passed = gate(); !passed) return passed.error();
    return inner_.read_partition(partition, from_offset, max);
  }
  Result<std::vector<StoredCommit>> read_partition_stored(std::uint32_t partition, std::uint64_t from_offset,
                                                          std::size_t max) override {
    if (auto passed = gate(); !passed) return passed.error();
    return inner_.read_partition_stored(partition, from_offset, max);
  }
  Result<std::optional<RecordedCommit>> find_commit(std::string const& commit_id) override {
    return inner_.find_commit(commit_id);
  }
  std::vector<std::uint64_t> end_offsets() override { return inner_.end_offsets(); }
  std::string fault() override { return inner_.fault(); }
  std::unique_ptr<Subscription> subscribe(std::vector<std::uint64_t> from, CommitHandler handler) override {
    return inner_.subscribe(std::move(from), std::move(handler));
  }

 private:
  // A partition read: counted, held while reads are held, failed while they fail.
  Result<void> gate() {
    std::unique_lock lock(mutex_);
    ++reads_;
    ++waiting_;
    changed_.wait(lock, [&] { return !held_; });
    --waiting_;
    if (failing_ || reads_ > fail_after_) {
      return make_error(ErrorCode::unavailable, "event log storage: injected read fault");
    }
    return {};
  }

  EventLog& inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_{false}, failing_{false};
  std::uint64_t fail_after_{UINT64_MAX};  // reads_ past this fail
  AppendFault append_fault_{AppendFault::none};
  int waiting_{0};
  std::uint64_t reads_{0};
};

}  // namespace ticketing::testing
