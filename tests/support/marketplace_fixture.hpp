#pragma once
// An in-process marketplace on a temporary embedded log (test-only): the log,
// the runner, the command service, and helpers to issue commands.

#include <thread>

#include <doctest/doctest.h>

#include "application/marketplace.hpp"
#include "domain/ids.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "eventually.hpp"
#include "manual_clock.hpp"
#include "temp_dir.hpp"

namespace ticketing::testing {

struct MarketplaceFixture {
  TempDir dir;
  ManualClock clock{*parse_iso8601("2026-11-21T10:00:00.000Z")};
  std::unique_ptr<RocksDbLog> log =
      std::move(*RocksDbLog::open({.path = (dir.path() / "log").string(), .partitions = 4}));
  CommandRunner runner{*log};
  Marketplace market{runner};
  int commits{0};

  CommandContext ctx(std::string const& who = "test") {
    CommandContext c;
    c.commit_id = "test-" + std::to_string(++commits);
    c.meta.user_id = who;
    c.meta.recorded_at = clock.now();
    return c;
  }

  static std::string ticket_id(int n) {
    std::string id = std::to_string(n);
    return std::string(24 - id.size(), 'a') + id;
  }

  void list(std::string const& ticket, std::int64_t cents = 2000, std::string const& seller = "seller") {
    REQUIRE(market.execute(ticket::ListTicket{ticket, seller, "Show", Money{cents}}, ctx()).has_value());
  }

  std::string order(std::string const& ticket, std::string const& buyer = "buyer",
                    Duration ttl = std::chrono::minutes(15)) {
    auto r = market.place_order(order::PlaceOrder{ticket, buyer, std::nullopt, ttl}, ctx(buyer));
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    return std::get<OrderCreated>(r->events.front()).order_id;
  }

  order::OrderContext state(std::string const& order_id, std::string const& charge = {}) {
    auto s = market.order_context(order_id, charge);
    REQUIRE(s.has_value());
    return *s;
  }

  std::size_t count_events(std::string const& stream, std::string_view type) {
    std::size_t n = 0;
    for (auto const& e : *log->read_stream(stream, 0)) n += type_name(e.event) == type ? 1u : 0u;
    return n;
  }
};

}  // namespace ticketing::testing
