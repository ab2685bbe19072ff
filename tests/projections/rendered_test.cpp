// A ticket's JSON answered from memory (ViewStore::ticket_json) while the
// projector writes: never older than what was written before the read began.

#include <atomic>
#include <random>
#include <thread>
#include <unordered_map>

#include <doctest/doctest.h>

#include "domain/ids.hpp"
#include "projections/view_store.hpp"
#include "rendered_cache.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using namespace ticketing::views;

namespace {

std::string const kTicket = "bbbbbbbbbbbbbbbbbbbbbbbb";

std::int64_t version_in(std::string const& json) {
  auto const at = json.find("\"version\":");
  REQUIRE(at != std::string::npos);
  return std::stoll(json.substr(at + 10));
}

RecordedCommit commit_at(std::uint64_t offset, Event event) {
  Commit commit{.commit_id = "c" + std::to_string(offset),
                .partition_key = kTicket,
                .expected = {},
                .events = {std::move(event)},
                .meta = {}};
  return RecordedCommit{Position{0, offset}, std::move(commit)};
}

}  // namespace

TEST_CASE("ticket JSON from memory: each edit shows at once, and racing readers never go back to an older one") {
  testing::TempDir dir;
  auto store = std::move(*ViewStore::open(dir.str(), 1));
  Instant const at = from_millis(1'800'000'000'000);
  REQUIRE(store->apply(commit_at(0, TicketCreated{kTicket, "seller", "Show", Money{1000}, at})).has_value());

  std::atomic<bool> done{false};
  std::atomic<int> went_back{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      std::int64_t seen = 0;
      while (!done) {
        auto const json = store->ticket_json(kTicket);
        if (!json) continue;
        std::int64_t const v = version_in(*json);
        if (v < seen) ++went_back;
        seen = std::max(seen, v);
      }
    });
  }
  constexpr std::int64_t kEdits = 300;
  int stale_after_write = 0;
  for (std::int64_t k = 1; k <= kEdits; ++k) {
    auto const edit = TicketUpdated{kTicket, "Show", Money{1000 + k}, Money{1000 + k - 1}, at};
    REQUIRE(store->apply(commit_at(static_cast<std::uint64_t>(k), edit)).has_value());
    if (version_in(*store->ticket_json(kTicket)) != k) ++stale_after_write;
  }
  done = true;
  for (auto& t : readers) t.join();
  CHECK(stale_after_write == 0);
  CHECK(went_back == 0);
  CHECK(store->ticket_json(kTicket) == render_ticket(*store->ticket(kTicket)));
  CHECK_FALSE(store->ticket_json("cccccccccccccccccccccccc").has_value());
}

// The window the stress test above can only hit by chance: a reader that read
// the old row before the write offers it while the new row is already in the
// store. Kept, it would answer the old JSON to a reader who had already read
// the new row from the store.
TEST_CASE("ticket JSON from memory: nothing is cached for a ticket while its row is being written") {
  RenderedCache cache;
  std::uint64_t const before_write = cache.generation(kTicket);  // reads version 1

  cache.begin_write(kTicket);  // the store has version 2 from here on
  cache.offer(kTicket, "v1", before_write);
  CHECK_FALSE(cache.find(kTicket).has_value());
  std::uint64_t const while_writing = cache.generation(kTicket);  // reads version 2
  cache.offer(kTicket, "v2", while_writing);
  CHECK_FALSE(cache.find(kTicket).has_value());

  cache.begin_write(kTicket);  // a second write of the same ticket overlaps
  cache.end_write(kTicket);
  cache.offer(kTicket, "v2", cache.generation(kTicket));
  CHECK_FALSE(cache.find(kTicket).has_value());

  cache.end_write(kTicket);
  cache.offer(kTicket, "v1", before_write);
  cache.offer(kTicket, "v2", while_writing);
  CHECK_FALSE(cache.find(kTicket).has_value());
  cache.offer(kTicket, "v3", cache.generation(kTicket));
  CHECK(cache.find(kTicket) == "v3");
}

TEST_CASE("ticket JSON from memory: what was kept is found, with its last value, through evictions and removals") {
  // Against a model: every id offered since its last write is found with the
  // JSON last offered, until the cache is full; past that, whatever is found
  // is still the JSON last offered, and nothing written since is found.
  // (Below, no shard gets near its bound: these ids spread about 512 a shard.)
  RenderedCache cache;
  std::unordered_map<std::string, std::string> model;
  std::mt19937_64 rng(7);
  auto const id_of = [](std::uint64_t n) {
    std::string id = std::to_string(n);
    return std::string(24 - id.size(), 'a') + id;
  };
  // Below the bound (at most half a shard's entries on average): nothing is dropped.
  constexpr std::uint64_t kFew = RenderedCache::kShards * RenderedCache::kPerShard / 4;
  for (int step = 0; step < 200'000; ++step) {
    std::string const id = id_of(rng() % kFew);
    if (rng() % 4 == 0) {
      cache.begin_write(id);
      cache.end_write(id);
      model.erase(id);
    } else {
      std::string json = "v" + std::to_string(step);
      cache.offer(id, json, cache.generation(id));
      model[id] = json;
    }
  }
  std::size_t missing = 0;
  for (std::uint64_t n = 0; n < kFew; ++n) {
    std::string const id = id_of(n);
    auto const found = cache.find(id);
    auto const it = model.find(id);
    if (it == model.end()) {
      CHECK_FALSE(found.has_value());
    } else if (!found) {
      ++missing;
    } else {
      CHECK(*found == it->second);
    }
  }
  CHECK(missing == 0);

  // Far more ids than room: shards drop entries, never show a wrong one.
  for (int step = 0; step < 400'000; ++step) {
    std::string const id = id_of(rng() % (kFew * 8));
    if (rng() % 8 == 0) {
      cache.begin_write(id);
      cache.end_write(id);
      model.erase(id);
      CHECK_FALSE(cache.find(id).has_value());
    } else if (auto const found = cache.find(id)) {
      REQUIRE(model.contains(id));
      CHECK(*found == model[id]);
    } else {
      std::string json = "w" + std::to_string(step);
      cache.offer(id, json, cache.generation(id));
      model[id] = json;
      CHECK(cache.find(id) == json);  // just kept: found
    }
  }
}

TEST_CASE("ticket JSON from memory: a ticket kept after the cache filled stays while others come and go") {
  // A full shard must not drop what it has just kept: a ticket that turns
  // hot after the cache filled up would never stay cached.
  RenderedCache cache;
  auto const id_of = [](std::string const& prefix, std::uint64_t n) {
    std::string id = prefix + std::to_string(n);
    return std::string(24 - id.size(), 'c') + id;
  };
  constexpr std::uint64_t kRoom = RenderedCache::kShards * RenderedCache::kPerShard;
  for (std::uint64_t n = 0; n < 2 * kRoom; ++n) {
    std::string const cold = id_of("cold", n);
    cache.offer(cold, "cold", cache.generation(cold));
  }
  for (std::uint64_t n = 0; n < 20; ++n) {
    std::string const hot = id_of("hot", n);
    cache.offer(hot, "hot", cache.generation(hot));
  }
  // About 500 more misses per shard, a quarter of its entries.
  for (std::uint64_t n = 0; n < kRoom / 4; ++n) {
    std::string const cold = id_of("later", n);
    cache.offer(cold, "cold", cache.generation(cold));
  }
  for (std::uint64_t n = 0; n < 20; ++n) CHECK_MESSAGE(cache.find(id_of("hot", n)) == "hot", n);
}
