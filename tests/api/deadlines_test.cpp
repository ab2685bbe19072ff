// Deadlines, in-process on a manual clock (tests/support/api_stack.hpp): the
// API, the read models and the saga as the server runs them, with time moved
// by the test instead of waited for.

#include <doctest/doctest.h>

#include "api_stack.hpp"

using namespace ticketing;
using namespace ticketing::testing;
using namespace std::chrono_literals;

TEST_CASE("a hold expires at its deadline, not before, and the ticket is for sale again") {
  ApiStack s({.reservation_ttl = 15min});
  auto const seller = s.sign_up("seller");
  auto const buyer = s.sign_up("buyer");
  auto const ticket = s.list_ticket(seller);
  auto const order = s.place_order(buyer, ticket);
  s.advance(15min - 1s);
  CHECK(s.status_of("/api/orders/" + order, buyer) == "created");
  CHECK(s.status_of("/api/tickets/" + ticket) == "reserved");
  s.advance(1s);
  CHECK(s.status_of("/api/orders/" + order, buyer) == "cancelled");
  CHECK(s.status_of("/api/tickets/" + ticket) == "available");
  CHECK(s.saga.pending_timers() == 0);
}

TEST_CASE("an old order's deadline never releases a newer hold") {
  ApiStack s({.reservation_ttl = 2min});
  auto const seller = s.sign_up("seller");
  auto const first = s.sign_up("first");
  auto const second = s.sign_up("second");
  auto const ticket = s.list_ticket(seller);
  auto const old_order = s.place_order(first, ticket);
  REQUIRE(s.call("DELETE", "/api/orders/" + old_order, nullptr, first).status == 204);
  s.advance(1min);
  auto const new_order = s.place_order(second, ticket);
  s.advance(90s);  // past the old order's deadline, before the new one's
  auto const t = s.call("GET", "/api/tickets/" + ticket);
  CHECK(t.json.at("status") == "reserved");
  CHECK(t.json.at("orderId") == new_order.c_str());
  CHECK(s.status_of("/api/orders/" + new_order, second) == "created");
  s.advance(30s);  // the new hold's own deadline
  CHECK(s.status_of("/api/orders/" + new_order, second) == "cancelled");
  CHECK(s.status_of("/api/orders/" + old_order, first) == "cancelled");
  CHECK(s.status_of("/api/tickets/" + ticket) == "available");
}

TEST_CASE("a payment for an order past expiresAt is refused as expired, whichever comes first") {
  ApiStack s({.reservation_ttl = 15min});
  auto const seller = s.sign_up("seller");
  auto const buyer = s.sign_up("buyer");
  auto const order = s.place_order(buyer, s.list_ticket(seller));
  // The clock passes the deadline; the saga may not have run yet (it looks at
  // the clock at least once a second).
  s.clock.advance(15min);
  auto const paid = s.call("POST", "/api/payments", {{"token", "tok_visa"}, {"orderId", order}}, buyer);
  CHECK(paid.status == 400);
  auto const message = paid.json.at("errors").at(0).at("message");
  CHECK((message == "Order has expired" || message == "Cannot pay for a cancelled order"));
  // Once the saga has expired it, the answer names that.
  s.advance(0s);
  auto const again = s.call("POST", "/api/payments", {{"token", "tok_visa"}, {"orderId", order}}, buyer);
  CHECK(again.status == 400);
  CHECK(again.json.at("errors").at(0).at("message") == "Cannot pay for a cancelled order");
  CHECK(s.gateway->successful_charges() == 0);
}
