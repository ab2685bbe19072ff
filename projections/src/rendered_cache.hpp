#pragma once
// Internal: the JSON of recently read ticket rows, as the API renders them,
// so that a hot ticket is answered without a lookup or a rendering. Bounded:
// 64 shards of at most 2,048 entries (about 40 MB of 180-byte tickets); a
// full shard drops an arbitrary entry. Never stale, and never older than a
// row a reader could already read from the store: ViewStore::apply marks a
// ticket as being written before writing its new row and ends the mark after
// (both drop the cached JSON). While marked, the ticket is never found here
// and nothing offered for it is kept, so every read goes to the store, whose
// reads never go back; a reader's offer is kept only if its shard saw no
// write end since the reader began (a row read before a write, offered after
// it, is dropped).

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace ticketing::views {

class RenderedCache {
 public:
  static constexpr std::size_t kShards = 64;
  static constexpr std::size_t kPerShard = 2048;

  // The shard's generation, taken before reading the row to offer.
  [[nodiscard]] std::uint64_t generation(std::string const& id) {
    Shard& s = shard(id);
    std::lock_guard const lock(s.mutex);
    return s.generation;
  }
  [[nodiscard]] std::optional<std::string> find(std::string const& id) {
    Shard& s = shard(id);
    std::lock_guard const lock(s.mutex);
    auto it = s.json.find(id);
    if (it == s.json.end()) return std::nullopt;  // never cached while writing
    return it->second;
  }
  // Keeps `json` unless the shard changed since `generation`.
  void offer(std::string const& id, std::string json, std::uint64_t generation) {
    Shard& s = shard(id);
    std::lock_guard const lock(s.mutex);
    if (s.generation != generation || s.writing.contains(id)) return;
    if (s.json.size() >= kPerShard && !s.json.contains(id)) s.json.erase(s.json.begin());
    s.json.insert_or_assign(id, std::move(json));
  }
  // Before the ticket's new row is written: until end_write, reads miss.
  void begin_write(std::string const& id) {
    Shard& s = shard(id);
    std::lock_guard const lock(s.mutex);
    s.json.erase(id);
    ++s.writing[id];
  }
  // After the write of the row (done or failed); one per begin_write.
  void end_write(std::string const& id) {
    Shard& s = shard(id);
    std::lock_guard const lock(s.mutex);
    s.json.erase(id);
    ++s.generation;
    auto it = s.writing.find(id);
    if (it != s.writing.end() && --it->second == 0) s.writing.erase(it);
  }

 private:
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::string> json;
    std::unordered_map<std::string, int> writing;  // ids between begin and end
    std::uint64_t generation{0};
  };
  Shard& shard(std::string const& id) { return shards_[std::hash<std::string>{}(id) % kShards]; }
  std::array<Shard, kShards> shards_;
};

}  // namespace ticketing::views
