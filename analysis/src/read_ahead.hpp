#pragma once
// Internal: reads the partitions of a fixed range ahead of a walk, on a few
// threads, so that reading and decoding overlap the merge and what the walk
// does with each commit. At most `depth` chunks of each partition wait; the
// walk takes each partition's chunks in order.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "analysis/positions.hpp"
#include "eventstore/event_log.hpp"

namespace ticketing::analysis {

class ReadAhead {
 public:
  ReadAhead(EventLog& log, Positions const& from, Positions const& to, unsigned threads, std::size_t chunk,
            std::size_t depth);
  ~ReadAhead();  // stops the readers and joins them
  ReadAhead(ReadAhead const&) = delete;
  ReadAhead& operator=(ReadAhead const&) = delete;

  // The partition's next chunk, waiting for it; empty once the partition has
  // no more before `to`. A read that failed is reported here.
  [[nodiscard]] Result<std::vector<RecordedCommit>> take(std::uint32_t partition);

 private:
  struct Partition {
    std::uint64_t next{0}, end{0};
    std::deque<std::vector<RecordedCommit>> ready;
    bool reading{false}, done{false};
    std::optional<Error> error;
  };
  void read_loop();
  // The partition a reader should read next (the one with the fewest chunks
  // waiting), or nullptr when none needs one. Called under the lock.
  Partition* next_to_read();

  EventLog& log_;
  std::size_t chunk_, depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Partition> partitions_;
  bool stopping_{false};
  std::vector<std::thread> readers_;
};

}  // namespace ticketing::analysis
