#include "rendered_cache.hpp"

#include <functional>

namespace ticketing::views {
namespace {

constexpr std::uint64_t kIndexBits = 0xffff'ffffULL;

// The hash's bits: the low ones pick the shard; the upper half is the
// slot's tag (its lowest bit set, so that a used slot is never 0), and the
// tag's next bits are the home slot, so a slot alone says where it belongs.
std::uint64_t tag_of(std::uint64_t hash) { return (hash >> 32) | 1; }
std::size_t home_of_slot(std::uint64_t slot, std::size_t slots) {
  return static_cast<std::size_t>(slot >> 33) & (slots - 1);
}
std::size_t home_of(std::uint64_t hash, std::size_t slots) { return home_of_slot(tag_of(hash) << 32, slots); }

}  // namespace

RenderedCache::Key::Key(std::string_view id) : id_(id), hash_(std::hash<std::string_view>{}(id)) {}

std::size_t RenderedCache::slot_of(Shard const& s, std::uint64_t hash, std::string_view id) {
  std::uint64_t const tag = tag_of(hash);
  for (std::size_t i = home_of(hash, kSlots);; i = (i + 1) & (kSlots - 1)) {
    std::uint64_t const slot = s.slots[i];
    if (slot == 0) return i;
    if ((slot >> 32) == tag) {
      Entry const& e = s.entries[slot & kIndexBits];
      if (e.hash == hash && e.id == id) return i;
    }
  }
}

std::size_t RenderedCache::slot_at(Shard const& s, std::uint64_t hash, std::size_t index) {
  std::size_t i = home_of(hash, kSlots);
  while ((s.slots[i] & kIndexBits) != index || s.slots[i] == 0) i = (i + 1) & (kSlots - 1);
  return i;
}

void RenderedCache::erase(Shard& s, std::size_t slot) {
  std::size_t hole = slot;
  std::size_t const index = s.slots[hole] & kIndexBits;
  // Backward shift: a later slot of the run moves into the hole unless its
  // home lies cyclically in (hole, j], where probing would no longer reach it.
  for (std::size_t j = (hole + 1) & (kSlots - 1); s.slots[j] != 0; j = (j + 1) & (kSlots - 1)) {
    std::size_t const home = home_of_slot(s.slots[j], kSlots);
    bool const stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (!stays) {
      s.slots[hole] = s.slots[j];
      hole = j;
    }
  }
  s.slots[hole] = 0;
  // The last entry takes the erased one's place, and its slot says so.
  if (std::size_t const last = s.entries.size() - 1; index != last) {
    Entry& moved = s.entries[last];
    std::uint64_t& moved_slot = s.slots[slot_at(s, moved.hash, last)];
    moved_slot = (moved_slot & ~kIndexBits) | index;
    s.entries[index] = std::move(moved);
  }
  s.entries.pop_back();
}

void RenderedCache::erase(Shard& s, std::uint64_t hash, std::string_view id) {
  if (std::size_t const at = slot_of(s, hash, id); s.slots[at] != 0) erase(s, at);
}

RenderedCache::Found RenderedCache::find(Key const& key) {
  Shard& s = shard(key.hash_);
  std::lock_guard const lock(s.mutex);
  Found found{std::nullopt, s.generation};
  if (std::uint64_t const slot = s.slots[slot_of(s, key.hash_, key.id_)]; slot != 0) {
    found.json = s.entries[slot & kIndexBits].json;  // never cached while writing
  }
  return found;
}

void RenderedCache::offer(Key const& key, std::string json, std::uint64_t generation) {
  Shard& s = shard(key.hash_);
  std::lock_guard const lock(s.mutex);
  if (s.generation != generation) return;
  if (!s.writing.empty() && s.writing.contains(std::string(key.id_))) return;
  std::size_t at = slot_of(s, key.hash_, key.id_);
  if (s.slots[at] != 0) {
    s.entries[s.slots[at] & kIndexBits].json = std::move(json);
    return;
  }
  if (s.entries.size() >= kPerShard) {
    // In turn over the entries, never the last: the newest is there, and the
    // next eviction moves it into the place just passed, so what was kept
    // last is dropped last (about kPerShard evictions later).
    std::size_t const victim = s.next_evicted++ % (s.entries.size() - 1);
    erase(s, slot_at(s, s.entries[victim].hash, victim));
    at = slot_of(s, key.hash_, key.id_);  // the shift may have moved the run
  }
  s.slots[at] = (tag_of(key.hash_) << 32) | s.entries.size();
  s.entries.push_back(Entry{key.hash_, std::string(key.id_), std::move(json)});
}

void RenderedCache::begin_write(std::string const& id) {
  Key const key(id);
  Shard& s = shard(key.hash_);
  std::lock_guard const lock(s.mutex);
  erase(s, key.hash_, id);
  ++s.writing[id];
}

void RenderedCache::end_write(std::string const& id) {
  Key const key(id);
  Shard& s = shard(key.hash_);
  std::lock_guard const lock(s.mutex);
  erase(s, key.hash_, id);
  ++s.generation;
  auto it = s.writing.find(id);
  if (it != s.writing.end() && --it->second == 0) s.writing.erase(it);
}

}  // namespace ticketing::views
