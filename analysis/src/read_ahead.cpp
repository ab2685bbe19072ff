#include "read_ahead.hpp"

namespace ticketing::analysis {

Result<Instant> floor_before(EventLog& log, std::uint32_t partition, std::uint64_t offset) {
  if (offset == 0) return Instant{};
  auto before = log.read_partition(partition, offset - 1, 1);
  if (!before) return before.error();
  if (before->empty()) return Instant{};
  return before->front().commit.meta.recorded_at;
}

ReadAhead::ReadAhead(EventLog& log, Positions const& from, Positions const& to, unsigned threads, std::size_t chunk,
                     std::size_t depth, CommitRenderer render)
    : log_(log), chunk_(chunk), depth_(depth), render_(std::move(render)), partitions_(log.partition_count()) {
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    Partition& part = partitions_[p];
    part.next = p < from.size() ? from[p] : 0;
    part.end = p < to.size() ? to[p] : 0;
    part.done = part.next >= part.end;
  }
  for (unsigned t = 0; t < std::max(1u, threads); ++t) readers_.emplace_back([this] { read_loop(); });
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard const lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& t : readers_) t.join();
}

ReadAhead::Partition* ReadAhead::next_to_read() {
  Partition* best = nullptr;
  for (auto& part : partitions_) {
    if (part.reading || part.done || part.ready.size() >= depth_) continue;
    if (best == nullptr || part.ready.size() < best->ready.size()) best = &part;
  }
  return best;
}

Result<ReadAhead::Chunk> ReadAhead::read_chunk(Partition& part, std::uint32_t partition, std::uint64_t from,
                                               std::size_t count) {
  if (!render_) {
    auto commits = log_.read_partition(partition, from, count);
    if (!commits) return commits.error();
    while (!commits->empty() && commits->back().position.offset >= part.end) commits->pop_back();
    return Chunk{std::move(*commits), {}};
  }
  auto stored = log_.read_partition_stored(partition, from, count);
  if (!stored) return stored.error();
  while (!stored->empty() && stored->back().position.offset >= part.end) stored->pop_back();
  if (!part.floor) {
    auto floor = floor_before(log_, partition, from);
    if (!floor) return floor.error();
    part.floor = *floor;
  }
  thread_local CommitReader reader;
  Chunk chunk;
  chunk.commits.reserve(stored->size());
  chunk.rendered.reserve(stored->size());
  for (auto const& commit : *stored) {
    auto view = reader.read(commit);
    if (!view) return view.error();
    part.floor = shown_time(*part.floor, (*view)->recorded_at);
    auto text = render_(commit, **view, *part.floor);
    if (!text) return text.error();
    chunk.rendered.push_back(std::move(*text));
    // The merge orders by the position and the time as stamped.
    RecordedCommit& shown = chunk.commits.emplace_back();
    shown.position = commit.position;
    shown.commit.meta.recorded_at = (*view)->recorded_at;
  }
  return chunk;
}

void ReadAhead::read_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    Partition* const part = next_to_read();
    if (part == nullptr) {
      changed_.wait(lock);
      continue;
    }
    part->reading = true;
    auto const partition = static_cast<std::uint32_t>(part - partitions_.data());
    std::uint64_t const from = part->next;
    auto const count = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_, part->end - from));
    lock.unlock();
    auto chunk = read_chunk(*part, partition, from, count);
    lock.lock();
    part->reading = false;
    if (!chunk) {
      part->error = chunk.error();
      part->done = true;
    } else if (chunk->commits.empty()) {
      part->done = true;
    } else {
      part->next = chunk->commits.back().position.offset + 1;
      part->done = part->next >= part->end;
      part->ready.push_back(std::move(*chunk));
    }
    changed_.notify_all();
  }
}

Result<ReadAhead::Chunk> ReadAhead::take(std::uint32_t partition) {
  std::unique_lock lock(mutex_);
  Partition& part = partitions_[partition];
  changed_.wait(lock, [&] { return !part.ready.empty() || part.done; });
  if (part.ready.empty()) {
    if (part.error) return *part.error;
    return Chunk{};
  }
  Chunk chunk = std::move(part.ready.front());
  part.ready.pop_front();
  lock.unlock();
  changed_.notify_all();
  return chunk;
}

}  // namespace ticketing::analysis
