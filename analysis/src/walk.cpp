#include "analysis/walk.hpp"

#include <algorithm>
#include <deque>
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
  std::uint64_t next{0};   // next offset to read from the log
  ReadAhead::Chunk chunk;  // the commits read, taken from `at` on
  std::size_t at{0};
  std::optional<Instant> floor;  // the time shown for the commit before; unset until read

  [[nodiscard]] bool buffered() const { return at < chunk.commits.size(); }
  [[nodiscard]] RecordedCommit const& front() const { return chunk.commits[at]; }

  // Makes the next commit before `end` buffered, if there is one.
  Result<bool> fill(EventLog& log, ReadAhead* ahead, std::uint64_t end) {
    if (!floor) {
      auto before = floor_before(log, partition, next);
      if (!before) return before.error();
      floor = *before;
    }
    if (buffered()) return front().position.offset < end;
    if (next >= end) return false;
    if (ahead != nullptr) {
      auto taken = ahead->take(partition);
      if (!taken) return taken.error();
      chunk = std::move(*taken);
    } else {
      auto read =
          log.read_partition(partition, next, static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, end - next)));
      if (!read) return read.error();
      chunk = {std::move(*read), {}};
    }
    at = 0;
    while (!chunk.commits.empty() && chunk.commits.back().position.offset >= end) chunk.commits.pop_back();
    if (chunk.commits.empty()) return false;
    next = chunk.commits.back().position.offset + 1;
    return true;
  }
  [[nodiscard]] Instant shown_at() const { return shown_time(*floor, front().commit.meta.recorded_at); }

  // The front commit, taken out.
  WalkedCommit take(Instant shown) {
    WalkedCommit out{std::move(chunk.commits[at]), shown, {}};
    if (at < chunk.rendered.size()) out.rendered = std::move(chunk.rendered[at]);
    ++at;
    return out;
  }
};

Walker::Walker(EventLog& log, Positions const& from, Positions const& read_ahead_to, unsigned threads,
               CommitRenderer render)
    : Walker(log, from) {
  ahead_ = std::make_unique<ReadAhead>(log, from, read_ahead_to, threads, kChunk, kReadAheadDepth, std::move(render));
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
  WalkedCommit out = earliest->take(earliest_at);
  earliest->floor = earliest_at;
  positions_[earliest->partition] = out.commit.position.offset + 1;
  return std::optional<WalkedCommit>(std::move(out));
}

namespace {
unsigned reading_threads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 4u); }
}  // namespace

Result<void> walk(EventLog& log, Positions const& from, Positions const& to, CommitVisitor const& visit) {
  Walker walker(log, from, to, reading_threads());
  while (true) {
    auto next = walker.next(to);
    if (!next) return next.error();
    if (!*next) return {};
    if (!visit((*next)->commit, (*next)->recorded_at)) return {};
  }
}

Result<void> render_walk(EventLog& log, Positions const& from, Positions const& to, CommitRenderer const& render,
                         TextVisitor const& write, Positions* delivered) {
  Walker walker(log, from, to, reading_threads(), render);
  while (true) {
    auto next = walker.next(to);
    if (!next) return next.error();
    if (!*next) return {};
    if (!write((*next)->rendered)) return {};
    if (delivered != nullptr) {
      Position const at = (*next)->commit.position;
      if (at.partition >= delivered->size()) delivered->resize(at.partition + 1, 0);
      (*delivered)[at.partition] = at.offset + 1;
    }
  }
}

std::vector<std::int64_t> event_versions(Commit const& commit) {
  // A commit names a few streams: a linear search beats a map.
  std::vector<std::pair<std::string_view, std::int64_t>> next;
  next.reserve(commit.expected.size());
  for (auto const& e : commit.expected) next.emplace_back(e.stream, e.version + 1);
  std::deque<std::string> unnamed;  // streams the commit expects nothing of start at 0
  std::vector<std::int64_t> out;
  out.reserve(commit.events.size());
  for (auto const& event : commit.events) {
    std::string stream = stream_of(event);
    auto it = std::find_if(next.begin(), next.end(), [&](auto const& n) { return n.first == stream; });
    if (it == next.end()) {
      next.emplace_back(unnamed.emplace_back(std::move(stream)), 0);
      it = std::prev(next.end());
    }
    out.push_back(it->second++);
  }
  return out;
}

}  // namespace ticketing::analysis
