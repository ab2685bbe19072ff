#pragma once
// Internal: reads the partitions of a fixed range ahead of a walk, on a few
// threads, so that reading and decoding overlap the merge and what the walk
// does with each commit. At most `depth` chunks of each partition wait; the
// walk takes each partition's chunks in order. With a renderer, the readers
// also render each commit (walk.hpp CommitRenderer), at the time the walk
// will show it, so that rendering runs on several threads too.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "analysis/walk.hpp"

namespace ticketing::analysis {

// The time shown for the commit before `offset` in `partition` (the floor of
// the times shown from there on), or the epoch at the start of a partition.
// The embedded log stamps commits monotonically per partition, so there a
// resumed walk shows exactly the times a whole walk shows; on a Kafka
// replica, whose commits were stamped by several nodes, one commit back is
// the floor.
[[nodiscard]] Result<Instant> floor_before(EventLog& log, std::uint32_t partition, std::uint64_t offset);

// The time a commit is shown at, given the floor left by the one before it.
[[nodiscard]] inline Instant shown_time(Instant floor, Instant recorded_at) { return std::max(floor, recorded_at); }

class ReadAhead {
 public:
  struct Chunk {
    std::vector<RecordedCommit> commits;
    std::vector<std::string> rendered;  // one per commit, with a renderer
  };

  ReadAhead(EventLog& log, Positions const& from, Positions const& to, unsigned threads, std::size_t chunk,
            std::size_t depth, CommitRenderer render);
  ~ReadAhead();  // stops the readers and joins them
  ReadAhead(ReadAhead const&) = delete;
  ReadAhead& operator=(ReadAhead const&) = delete;

  // The partition's next chunk, waiting for it; empty once the partition has
  // no more before `to`. A read that failed is reported here.
  [[nodiscard]] Result<Chunk> take(std::uint32_t partition);

 private:
  struct Partition {
    std::uint64_t next{0}, end{0};
    std::optional<Instant> floor;  // touched only by the reader holding `reading`
    std::deque<Chunk> ready;
    bool reading{false}, done{false};
    std::optional<Error> error;
  };
  void read_loop();
  // The partition a reader should read next (the one with the fewest chunks
  // waiting), or nullptr when none needs one. Called under the lock.
  Partition* next_to_read();
  // Reads (and renders) `count` commits of the partition from `from`; called
  // without the lock by the one reader marked as reading it.
  Result<Chunk> read_chunk(Partition& part, std::uint32_t partition, std::uint64_t from, std::size_t count);

  EventLog& log_;
  std::size_t chunk_, depth_;
  CommitRenderer render_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Partition> partitions_;
  bool stopping_{false};
  std::vector<std::thread> readers_;
};

}  // namespace ticketing::analysis
