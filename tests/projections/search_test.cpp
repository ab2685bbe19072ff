// The tickets for sale by price and by title: the price index follows every
// listing, edit, hold and release; pages continue from their cursor in
// either direction; a title filter looks at a bounded number of tickets per
// page; a store from before the index gets it built when opened.

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "projections/view_store.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using namespace ticketing::views;
using namespace std::chrono_literals;

namespace {

Instant at(std::int64_t seconds) { return from_millis(1'800'000'000'000 + seconds * 1000); }
std::string id(int n) { return std::string(23, 'a') + static_cast<char>('a' + n); }

struct Store {
  testing::TempDir dir;
  std::unique_ptr<ViewStore> store = std::move(*ViewStore::open(dir.str(), 1));
  std::uint64_t offset = 0;

  void apply(Events events) {
    Commit commit{
        .commit_id = "c" + std::to_string(offset), .partition_key = "k", .expected = {}, .events = {}, .meta = {}};
    commit.events = std::move(events);
    REQUIRE(store->apply(RecordedCommit{Position{0, offset++}, commit}).has_value());
  }
  // Every page of `query`, `limit` at a time: the titles in order.
  std::vector<std::string> titles(TicketQuery const& query, std::size_t limit = 2) const {
    std::vector<std::string> out;
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = store->tickets_for_sale(limit, cursor, query);
      REQUIRE(page.has_value());
      for (auto const& t : page->tickets) out.push_back(t.title);
      if (page->next_cursor.empty()) break;
      cursor = page->next_cursor;
    }
    return out;
  }
};

using Order = TicketQuery::Order;

}  // namespace

TEST_CASE("search: by price either way, by title, across pages, following edits and holds") {
  Store s;
  s.apply({TicketCreated{id(0), "seller", "Opera night", Money{3000}, at(0)}});
  s.apply({TicketCreated{id(1), "seller", "Rock show", Money{1500}, at(1)}});
  s.apply({TicketCreated{id(2), "seller", "ROCK festival", Money{9000}, at(2)}});
  s.apply({TicketCreated{id(3), "seller", "Jazz", Money{1500}, at(3)}});
  CHECK(s.titles({}) == std::vector<std::string>{"Opera night", "Rock show", "ROCK festival", "Jazz"});
  CHECK(s.titles({.order = Order::price_low}) ==
        std::vector<std::string>{"Rock show", "Jazz", "Opera night", "ROCK festival"});  // ties by listing
  CHECK(s.titles({.order = Order::price_high}) ==
        std::vector<std::string>{"ROCK festival", "Opera night", "Jazz", "Rock show"});
  CHECK(s.titles({.order = Order::price_low, .title_contains = "rock"}) ==
        std::vector<std::string>{"Rock show", "ROCK festival"});
  CHECK(s.titles({.title_contains = "nothing like it"}).empty());

  // An edit moves it in the price order; a hold takes it out; a release puts it back.
  s.apply({TicketUpdated{id(2), "ROCK festival", Money{100}, Money{9000}, at(4)}});
  CHECK(s.titles({.order = Order::price_low}) ==
        std::vector<std::string>{"ROCK festival", "Rock show", "Jazz", "Opera night"});
  std::string const order = id(1) + "-1";
  s.apply({OrderCreated{order, id(1), "buyer", "Rock show", Money{1500}, 0, at(5), at(5) + 15min},
           TicketReserved{id(1), order, "buyer", at(5)}});
  CHECK(s.titles({.order = Order::price_high}) == std::vector<std::string>{"Opera night", "Jazz", "ROCK festival"});
  s.apply({OrderExpired{order, at(1000)}, TicketReleased{id(1), order, at(1000)}});
  CHECK(s.titles({.order = Order::price_high}) ==
        std::vector<std::string>{"Opera night", "Jazz", "Rock show", "ROCK festival"});  // ties: latest listed first

  // A small scan budget: pages may come back short, but following the
  // cursors finds every match.
  CHECK(s.titles({.order = Order::price_high, .title_contains = "o", .scan_budget = 1}, 5) ==
        std::vector<std::string>{"Opera night", "Rock show", "ROCK festival"});
  auto const short_page = s.store->tickets_for_sale(5, "", {.title_contains = "jazz", .scan_budget = 2});
  REQUIRE(short_page.has_value());
  CHECK(short_page->tickets.empty());
  CHECK_FALSE(short_page->next_cursor.empty());
  CHECK(s.store->tickets_for_sale(5, "00", {.order = Order::price_low}).error().field == "cursor");
}

TEST_CASE("search: read models from before the price index get it when opened") {
  testing::TempDir dir;
  {
    auto store = std::move(*ViewStore::open(dir.str(), 1));
    Commit commit{.commit_id = "c", .partition_key = "k", .expected = {}, .events = {}, .meta = {}};
    commit.events = {TicketCreated{id(0), "seller", "Dear", Money{5000}, at(0)},
                     TicketCreated{id(1), "seller", "Cheap", Money{500}, at(1)}};
    REQUIRE(store->apply(RecordedCommit{Position{0, 0}, commit}).has_value());
  }
  {  // As such a store was: no price index, no marker.
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), dir.str(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->DeleteRange(rocksdb::WriteOptions(), db->DefaultColumnFamily(), "p/", "p0").ok());
    REQUIRE(db->Delete(rocksdb::WriteOptions(), "x/price-index").ok());
  }
  auto store = std::move(*ViewStore::open(dir.str(), 1));
  auto const page = store->tickets_for_sale(10, "", {.order = TicketQuery::Order::price_low});
  REQUIRE(page.has_value());
  REQUIRE(page->tickets.size() == 2);
  CHECK(page->tickets[0].title == "Cheap");
  CHECK(page->tickets[1].title == "Dear");
}
