#include "eventstore/stream_cache.hpp"

#include <functional>

namespace ticketing {

StreamCache::StreamCache(std::size_t capacity) : capacity_per_shard_(std::max<std::size_t>(1, capacity / kShards)) {
  for (std::size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

StreamCache::Shard& StreamCache::shard_of(std::string const& stream) {
  return *shards_[std::hash<std::string>{}(stream) % kShards];
}

void StreamCache::insert(Shard& shard, std::size_t capacity, std::string const& stream, CachedStream entry) {
  if (auto it = shard.index.find(stream); it != shard.index.end()) {
    it->second->second = std::move(entry);
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  shard.lru.emplace_front(stream, std::move(entry));
  shard.index.emplace(stream, shard.lru.begin());
  while (shard.lru.size() > capacity) {
    shard.index.erase(shard.lru.back().first);
    shard.lru.pop_back();
  }
}

std::optional<CachedStream> StreamCache::get(std::string const& stream) {
  Shard& shard = shard_of(stream);
  std::lock_guard lock(shard.mutex);
  auto it = shard.index.find(stream);
  if (it == shard.index.end()) return std::nullopt;
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->second;
}

void StreamCache::put(std::string const& stream, CachedStream entry) {
  Shard& shard = shard_of(stream);
  std::lock_guard lock(shard.mutex);
  insert(shard, capacity_per_shard_, stream, std::move(entry));
}

void StreamCache::advance(std::string const& stream, std::int64_t expected_version, Events const& events,
                          Position position) {
  Shard& shard = shard_of(stream);
  std::lock_guard lock(shard.mutex);
  auto it = shard.index.find(stream);
  if (expected_version == -1 && it == shard.index.end()) {
    CachedStream created;
    created.version = static_cast<std::int64_t>(events.size()) - 1;
    created.position = position;
    created.events = std::make_shared<Events const>(events);
    insert(shard, capacity_per_shard_, stream, std::move(created));
    return;
  }
  if (it == shard.index.end()) return;
  CachedStream& entry = it->second->second;
  if (entry.version != expected_version) {
    shard.lru.erase(it->second);
    shard.index.erase(it);
    return;
  }
  auto grown = std::make_shared<Events>(*entry.events);
  grown->insert(grown->end(), events.begin(), events.end());
  entry.version += static_cast<std::int64_t>(events.size());
  entry.position = position;
  entry.events = std::move(grown);
}

void StreamCache::rebase(std::string const& stream, CachedStream entry) {
  Shard& shard = shard_of(stream);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.index.find(stream); it != shard.index.end() && it->second->second.version == entry.version) {
    it->second->second = std::move(entry);
  }
}

void StreamCache::erase(std::string const& stream) {
  Shard& shard = shard_of(stream);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.index.find(stream); it != shard.index.end()) {
    shard.lru.erase(it->second);
    shard.index.erase(it);
  }
}

}  // namespace ticketing

namespace ticketing {

void StreamCache::erase_if_at(std::string const& stream, std::int64_t version) {
  Shard& shard = shard_of(stream);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.index.find(stream); it != shard.index.end() && it->second->second.version == version) {
    shard.lru.erase(it->second);
    shard.index.erase(it);
  }
}

}  // namespace ticketing
