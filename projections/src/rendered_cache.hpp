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
//
// A read hashes its id once (Key) and, on a miss, touches one run of a
// shard's open-addressed slots, so a lookup that misses costs about one
// cache line: with far more tickets than entries, most lookups miss.

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ticketing::views {

class RenderedCache {
 public:
  static constexpr std::size_t kShards = 64;
  static constexpr std::size_t kPerShard = 2048;

  // An id with its hash, computed once per read. It views the id, which
  // must outlive it.
  class Key {
   public:
    explicit Key(std::string_view id);
    [[nodiscard]] std::string_view id() const noexcept { return id_; }

   private:
    friend class RenderedCache;
    std::string_view id_;
    std::uint64_t hash_;
  };

  // What a read finds: the JSON, or else the shard's generation to offer
  // the JSON it renders with.
  struct Found {
    std::optional<std::string> json;
    std::uint64_t generation{0};
  };
  [[nodiscard]] Found find(Key const& key);
  // Keeps `json` unless the shard changed since `generation`.
  void offer(Key const& key, std::string json, std::uint64_t generation);
  // Before the ticket's new row is written: until end_write, reads miss.
  void begin_write(std::string const& id);
  // After the write of the row (done or failed); one per begin_write.
  void end_write(std::string const& id);

  // The same by id, hashing each time (tests).
  [[nodiscard]] std::uint64_t generation(std::string const& id) { return find(Key(id)).generation; }
  [[nodiscard]] std::optional<std::string> find(std::string const& id) { return find(Key(id)).json; }
  void offer(std::string const& id, std::string json, std::uint64_t generation) {
    offer(Key(id), std::move(json), generation);
  }

 private:
  // Linear probing over twice as many slots as entries; a slot holds 0
  // (empty) or the upper half of its entry's hash (never 0), which also
  // names its home slot, above the entry's index. Removal shifts the run
  // back (no tombstones) without reading the entries.
  static constexpr std::size_t kSlots = 2 * kPerShard;
  struct Entry {
    std::uint64_t hash;
    std::string id;
    std::string json;
  };
  struct Shard {
    std::mutex mutex;
    std::array<std::uint64_t, kSlots> slots{};
    std::vector<Entry> entries;  // at most kPerShard
    std::size_t next_evicted{0};
    std::unordered_map<std::string, int> writing;  // ids between begin and end
    std::uint64_t generation{0};
  };

  Shard& shard(std::uint64_t hash) { return shards_[hash % kShards]; }
  // The slot holding `id`, or the empty slot that ends its run.
  static std::size_t slot_of(Shard const& s, std::uint64_t hash, std::string_view id);
  // The slot of the entry at `index`, whose hash is `hash`.
  static std::size_t slot_at(Shard const& s, std::uint64_t hash, std::size_t index);
  // Empties a used slot and drops its entry.
  static void erase(Shard& s, std::size_t slot);
  static void erase(Shard& s, std::uint64_t hash, std::string_view id);

  std::array<Shard, kShards> shards_;
};

}  // namespace ticketing::views
