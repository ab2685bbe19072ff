#include "analysis/walk.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <thread>

#include "read_ahead.hpp"

namespace ticketing::analysis {

namespace {
constexpr std::size_t kChunk = 128;
constexpr std::size_t kReadAheadDepth = 4;  // chunks per partition
}  // namespace

// The commits of one partition still to walk, read a chunk at a time.
struct Walker::Cursor {
  std::uint32_t partition{0};
  std::uint64_t next{0};  // next offset to read from the log
  std::deque<RecordedCommit> buffered;
  std::optional<Instant> floor;  // the time shown for the commit before; unset until read

  // Makes the next commit before `end` buffered, if there is one.
  Result<bool> fill(EventLog& log, ReadAhead* ahead, std::uint64_t end) {
    if (!floor) {
      floor = Instant{};
      if (next > 0) {
        // The commit before the start sets the floor. The embedded log stamps
        // commits monotonically per partition, so there a resumed walk shows
        // exactly the times a whole walk shows; on a Kafka replica, whose
        // commits were stamped by several nodes, one commit back is the floor.
        auto before = log.read_partition(partition, next - 1, 1);
        if (!before) return before.error();
        if (!before->empty()) floor = before->front().commit.meta.recorded_at;
      }
    }
    if (!buffered.empty()) return buffered.front().position.offset < end;
    if (next >= end) return false;
    auto commits = ahead != nullptr
                       ? ahead->take(partition)
                       : log.read_partition(partition, next,
                                            static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, end - next)));
    if (!commits) return commits.error();
    for (auto& c : *commits) {
      if (c.position.offset >= end) break;
      buffered.push_back(std::move(c));
    }
    if (buffered.empty()) return false;
    next = buffered.back().position.offset + 1;
    return true;
  }
  [[nodiscard]] Instant shown_at() const { return std::max(*floor, buffered.front().commit.meta.recorded_at); }
};

Walker::Walker(EventLog& log, Positions const& from, Positions const& read_ahead_to, unsigned threads)
    : Walker(log, from) {
  ahead_ = std::make_unique<ReadAhead>(log, from, read_ahead_to, threads, kChunk, kReadAheadDepth);
}

Walker::Walker(EventLog& log, Positions from) : log_(&log), positions_(std::move(from)) {
  positions_.resize(log.partition_count(), 0);
  cursors_.resize(positions_.size());
  for (std::uint32_t p = 0; p < cursors_.size(); ++p) {
    cursors_[p].partition = p;
    cursors_[p].next = positions_[p];
  }
}

Walker::~Walker() = default;
Walker::Walker(Walker&&) noexcept = default;
Walker& Walker::operator=(Walker&&) noexcept = default;

Result<std::optional<WalkedCommit>> Walker::next(Positions const& end) {
  Cursor* earliest = nullptr;
  Instant earliest_at{};
  for (auto& c : cursors_) {
    std::uint64_t const stop = c.partition < end.size() ? end[c.partition] : 0;
    auto filled = c.fill(*log_, ahead_.get(), stop);
    if (!filled) return filled.error();
    if (!*filled) continue;
    Instant const at = c.shown_at();
    // Ties go to the lower partition: cursors are visited in partition order.
    if (earliest == nullptr || at < earliest_at) {
      earliest = &c;
      earliest_at = at;
    }
  }
  if (earliest == nullptr) return std::optional<WalkedCommit>();
  WalkedCommit out{std::move(earliest->buffered.front()), earliest_at};
  earliest->buffered.pop_front();
  earliest->floor = earliest_at;
  positions_[earliest->partition] = out.commit.position.offset + 1;
  return std::optional<WalkedCommit>(std::move(out));
}

Result<void> walk(EventLog& log, Positions const& from, Positions const& to, CommitVisitor const& visit) {
  Walker walker(log, from, to, std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  while (true) {
    auto next = walker.next(to);
    if (!next) return next.error();
    if (!*next) return {};
    if (!visit((*next)->commit, (*next)->recorded_at)) return {};
  }
}

std::vector<std::int64_t> event_versions(Commit const& commit) {
  std::map<std::string, std::int64_t> next;
  for (auto const& e : commit.expected) next[e.stream] = e.version + 1;
  std::vector<std::int64_t> out;
  out.reserve(commit.events.size());
  for (auto const& event : commit.events) out.push_back(next[stream_of(event)]++);
  return out;
}

}  // namespace ticketing::analysis
