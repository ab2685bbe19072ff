#include "analysis/walk.hpp"

#include <deque>
#include <map>
#include <queue>
#include <tuple>

namespace ticketing::analysis {
namespace {

constexpr std::size_t kChunk = 1024;

// The commits of one partition still to walk, read a chunk at a time.
struct Cursor {
  std::uint32_t partition{0};
  std::uint64_t next{0};  // next offset to read from the log
  std::uint64_t end{0};
  std::deque<RecordedCommit> buffered;
  Instant floor{};  // the time shown for the commit before

  Result<bool> fill(EventLog& log) {
    if (!buffered.empty()) return true;
    if (next >= end) return false;
    auto commits =
        log.read_partition(partition, next, static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, end - next)));
    if (!commits) return commits.error();
    if (commits->empty()) return false;
    for (auto& c : *commits) {
      if (c.position.offset >= end) break;
      buffered.push_back(std::move(c));
    }
    next = buffered.empty() ? end : buffered.back().position.offset + 1;
    return !buffered.empty();
  }
  [[nodiscard]] Instant shown_at() const { return std::max(floor, buffered.front().commit.meta.recorded_at); }
};

}  // namespace

Result<void> walk(EventLog& log, Positions const& from, Positions const& to, CommitVisitor const& visit) {
  std::uint32_t const partitions = log.partition_count();
  std::vector<Cursor> cursors(partitions);
  using Key = std::tuple<Instant, std::uint32_t, std::uint64_t>;
  std::priority_queue<Key, std::vector<Key>, std::greater<>> heads;
  for (std::uint32_t p = 0; p < partitions; ++p) {
    Cursor& c = cursors[p];
    c.partition = p;
    c.next = p < from.size() ? from[p] : 0;
    c.end = p < to.size() ? to[p] : 0;
    if (c.next > 0 && c.next <= c.end) {
      // The commit before the start sets the floor. The embedded log stamps
      // commits monotonically per partition, so there a resumed walk shows
      // exactly the times a whole walk shows; on a Kafka replica, whose
      // commits were stamped by several nodes, one commit back is the floor.
      auto before = log.read_partition(p, c.next - 1, 1);
      if (!before) return before.error();
      if (!before->empty()) c.floor = before->front().commit.meta.recorded_at;
    }
    auto filled = c.fill(log);
    if (!filled) return filled.error();
    if (*filled) heads.emplace(c.shown_at(), p, c.buffered.front().position.offset);
  }
  while (!heads.empty()) {
    auto const [at, p, offset] = heads.top();
    heads.pop();
    Cursor& c = cursors[p];
    RecordedCommit const commit = std::move(c.buffered.front());
    c.buffered.pop_front();
    c.floor = at;
    if (!visit(commit, at)) return {};
    auto filled = c.fill(log);
    if (!filled) return filled.error();
    if (*filled) heads.emplace(c.shown_at(), p, c.buffered.front().position.offset);
  }
  return {};
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
