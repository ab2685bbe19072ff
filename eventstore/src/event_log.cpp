#include "eventstore/event_log.hpp"

#include <future>

namespace ticketing {

std::uint32_t EventLog::partition_of(std::string_view partition_key) const noexcept {
  std::uint64_t hash = 14695981039346656037ULL;
  for (char const c : partition_key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return static_cast<std::uint32_t>(hash % partition_count());
}

Result<AppendResult> EventLog::append(Commit commit) {
  std::promise<Result<AppendResult>> promise;
  auto future = promise.get_future();
  append_async(std::move(commit), [&promise](Result<AppendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

Result<void> EventLog::read_partition_stored_into(std::uint32_t partition, std::uint64_t from_offset, std::size_t max,
                                                  std::vector<StoredCommit>& out) {
  auto read = read_partition_stored(partition, from_offset, max);
  if (!read) return read.error();
  out = std::move(*read);
  return {};
}

std::uint64_t commits_behind(std::vector<std::uint64_t> const& ends, std::vector<std::uint64_t> const& taken) noexcept {
  std::uint64_t behind = 0;
  for (std::size_t p = 0; p < ends.size() && p < taken.size(); ++p)
    behind += ends[p] > taken[p] ? ends[p] - taken[p] : 0;
  return behind;
}

}  // namespace ticketing
