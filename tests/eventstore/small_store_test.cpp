// The small stores beside the log: an expiring store keeps values durably for
// its ttl, and answers nothing for an older one.

#include "eventstore/small_store.hpp"

#include <doctest/doctest.h>

#include "temp_dir.hpp"

using namespace ticketing;
using namespace std::chrono_literals;

TEST_CASE("an expiring store answers a value for its ttl, after a reopen too, and nothing after it") {
  testing::TempDir dir;
  Instant const t0 = from_millis(1'800'000'000'000);
  {
    auto store = ExpiringStore::open(dir.str(), "replies", 24h);
    REQUIRE(store.has_value());
    REQUIRE((*store)->store("k", "first", t0).has_value());
    CHECK((*store)->find("k", t0 + 1h) == "first");
    CHECK_FALSE((*store)->find("other", t0).has_value());
  }
  auto store = ExpiringStore::open(dir.str(), "replies", 24h);
  REQUIRE(store.has_value());
  CHECK((*store)->find("k", t0 + 24h - 1ms) == "first");
  CHECK_FALSE((*store)->find("k", t0 + 24h).has_value());
}

TEST_CASE("a store held by another opener is unavailable, naming what it is") {
  testing::TempDir dir;
  auto first = ExpiringStore::open(dir.str(), "replies", 24h);
  REQUIRE(first.has_value());
  auto second = ExpiringStore::open(dir.str(), "replies", 24h);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == ErrorCode::unavailable);
  CHECK(second.error().message.starts_with("replies: "));
}
