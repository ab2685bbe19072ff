// The replies kept for Idempotency-Keys are a cache, not the guarantee: when
// their store cannot be written, a keyed command is still answered, and its
// repeat gets the same answer from the commit that landed, never a second
// commit (and so never a second order or charge).

#include <doctest/doctest.h>

#include "api_stack.hpp"
#include "domain/ids.hpp"
#include "failing_disk.hpp"

using namespace ticketing;
using namespace ticketing::testing;

namespace {

int count_of(EventLog& log, std::string const& stream, std::string_view type) {
  auto events = log.read_stream(stream, 0);
  REQUIRE(events.has_value());
  int n = 0;
  for (auto const& e : *events) n += type_name(e.event) == type ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("a reply store that cannot be written: keyed orders are answered, and a repeat gets the same, once") {
  FailingDisk disk;
  ApiStack stack({.replies_env = disk.env()});
  auto const [seller, buyer, ticket] = stack.seller_buyer_ticket();  // the read models have the listing

  disk.fail_wal_writes(true);  // every reply kept from here on fails to be written
  int const writes_before = disk.writes();
  auto const keyed = [&] {
    return stack.raw(
        "POST", "/api/orders",
        {{"content-type", "application/json"}, {"cookie", "session=" + buyer}, {"idempotency-key", "order-once"}},
        R"({"ticketId":")" + ticket + R"("})");
  };
  auto const first = keyed();
  CHECK(first.status == 201);
  CHECK(disk.writes() > writes_before);  // the reply's write was tried, and failed
  auto const again = keyed();
  CHECK(again.status == 201);
  CHECK(again.body == first.body);  // the same order, rendered from its commit

  stack.advance(Duration{0});
  CHECK(count_of(*stack.log, ticket_stream(ticket), "TicketReserved") == 1);
  auto const mine = stack.call("GET", "/api/orders", nullptr, buyer);
  REQUIRE(mine.status == 200);
  CHECK(mine.json.as_array().size() == 1);
}
