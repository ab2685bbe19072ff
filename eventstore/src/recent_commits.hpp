#pragma once
// The newest commits of each partition, decoded, as the committer made them
// durable: readers that keep up with the log (the projector, the saga, event
// feeds) take new commits from here instead of reading back from disk and
// decoding what was encoded a moment before.
//
// Contract: add() is given every commit the log publishes, in offset order
// per partition, from some moment on (the first publish after opening). So
// what a partition holds is always a suffix of the log's commits since then:
// a read from an offset at or past the oldest held one can be answered from
// here exactly as the disk would answer it; an older one cannot (nullopt).
// Bounded: at most `per_partition` commits each; the oldest go first.
// Not thread-safe: the log guards it with its publication lock.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "eventstore/commit.hpp"

namespace ticketing {

class RecentCommits {
 public:
  using Held = std::shared_ptr<RecordedCommit const>;

  RecentCommits(std::uint32_t partitions, std::size_t per_partition)
      : held_(partitions), per_partition_(per_partition) {}

  void add(Held commit) {
    auto& held = held_[commit->position.partition];
    held.push_back(std::move(commit));
    if (held.size() > per_partition_) held.pop_front();
  }

  // The held commits of `partition` at `from` or later and below `end`, at
  // most `max`; nullopt when commits from `from` on may not all be held.
  [[nodiscard]] std::optional<std::vector<Held>> read(std::uint32_t partition, std::uint64_t from, std::uint64_t end,
                                                      std::size_t max) const {
    auto const& held = held_[partition];
    if (held.empty() || held.front()->position.offset > from) return std::nullopt;
    // Offsets only grow along the deque (gaps are possible in a replica).
    auto it = held.begin();
    if (std::uint64_t const skip = from - held.front()->position.offset; skip < held.size()) {
      it += static_cast<std::ptrdiff_t>(skip);  // at `from`, or past it if offsets skipped some
    } else {
      it = held.end() - 1;
    }
    while (it != held.begin() && (*std::prev(it))->position.offset >= from) --it;
    while (it != held.end() && (*it)->position.offset < from) ++it;
    std::vector<Held> out;
    for (; it != held.end() && out.size() < max && (*it)->position.offset < end; ++it) out.push_back(*it);
    return out;
  }

 private:
  std::vector<std::deque<Held>> held_;
  std::size_t per_partition_;
};

}  // namespace ticketing
