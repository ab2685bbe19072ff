#pragma once
// A log that passes everything to another (test-only), except that the test
// can hold reads of partitions (they wait until released) or make them fail
// as a storage fault would. For what readers do while a read is slow or
// broken: the analytics route while a computation runs, the events feed
// when the log cannot be read.

#include <condition_variable>
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
  void fail_reads(bool fail) {
    std::lock_guard const lock(mutex_);
    failing_ = fail;
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
  void append_async(Commit commit, AppendCallback done) override { inner_.append_async(std::move(commit), done); }
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
    if (failing_) return make_error(ErrorCode::unavailable, "event log storage: injected read fault");
    return {};
  }

  EventLog& inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_{false}, failing_{false};
  int waiting_{0};
  std::uint64_t reads_{0};
};

}  // namespace ticketing::testing
