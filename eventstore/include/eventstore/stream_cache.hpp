#pragma once
// Write-side cache: the events of recently used streams (after a snapshot of
// the state, when it has one), so a command does not re-read a stream from
// the start. Bounded (least recently used go first), sharded, safe from any
// thread. A stale entry is harmless: the commit built from it fails
// validation with a conflict, and the runner reloads.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/events.hpp"
#include "eventstore/commit.hpp"

namespace ticketing {

// A stream's events after `base_version`, to be folded onto `base`: its
// state at base_version, of the type SnapshotFormat `base_format` names (a
// name with static storage). Without a base, the events from the start.
struct CachedStream {
  std::int64_t version{-1};
  Position position;  // where the log holds the event at `version` (none while -1)
  std::shared_ptr<Events const> events;
  std::int64_t base_version{-1};
  std::shared_ptr<void const> base;
  std::string_view base_format;
};

class StreamCache {
 public:
  explicit StreamCache(std::size_t capacity);

  [[nodiscard]] std::optional<CachedStream> get(std::string const& stream);
  void put(std::string const& stream, CachedStream entry);
  // Appends `events`, committed at `position`, if the entry is exactly at
  // `expected_version`; otherwise the entry (if any) is dropped.
  void advance(std::string const& stream, std::int64_t expected_version, Events const& events, Position position);
  // Replaces the entry with `entry` if it is still at entry.version (a
  // stream folded into a new base: the same state, fewer events to fold).
  void rebase(std::string const& stream, CachedStream entry);
  void erase(std::string const& stream);
  // Drops the entry only if it is still at `version` (a newer one, brought up
  // to date by the commit that won, is kept).
  void erase_if_at(std::string const& stream, std::int64_t version);

 private:
  struct Shard {
    std::mutex mutex;
    std::list<std::pair<std::string, CachedStream>> lru;  // front = most recent
    std::unordered_map<std::string, decltype(lru)::iterator> index;
  };
  Shard& shard_of(std::string const& stream);
  static void insert(Shard& shard, std::size_t capacity, std::string const& stream, CachedStream entry);

  static constexpr std::size_t kShards = 16;
  std::size_t capacity_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace ticketing
