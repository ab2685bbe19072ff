#include <thread>

#include "api_fixture.hpp"
#include "eventually.hpp"

using namespace ticketing::testing;

TEST_CASE("POST /api/payments: 201, order complete, ticket sold") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto b = hold(seller, buyer, 35.5);
  auto r = buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", b.order}});
  REQUIRE(r.status == 201);
  auto p = r.json();
  CHECK(str(p.at("orderId")) == b.order);
  CHECK(str(p.at("status")) == "succeeded");
  CHECK(p.at("amount").to_number<double>() == doctest::Approx(35.5));
  CHECK_FALSE(p.at("id").as_string().empty());
  auto order = buyer.get("/api/orders/" + b.order).json();
  CHECK(str(order.at("status")) == "complete");
  CHECK(order.at("version").as_int64() == 2);
  auto ticket = f.server.client().get("/api/tickets/" + b.ticket).json();
  CHECK(str(ticket.at("status")) == "sold");
  CHECK(str(ticket.at("orderId")) == b.order);
  auto again = buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", b.order}});
  CHECK(again.status == 400);
  CHECK(again.error_message() == "Order is already paid");
}

TEST_CASE("POST /api/payments: validation, 404, 401 and cancelled in the order of API.md") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto other = f.user("other");
  auto b = hold(seller, buyer);
  CHECK(f.server.client().post("/api/payments", {{"token", "tok_visa"}, {"orderId", b.order}}).status == 401);
  auto none = buyer.post("/api/payments", json::object{});
  REQUIRE(none.status == 400);
  CHECK(none.error_message(0) == "Token is required");
  CHECK(none.error_field(0) == "token");
  CHECK(none.error_message(1) == "OrderId is required");
  CHECK(none.error_field(1) == "orderId");
  CHECK(buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", "000000000000000000000000-1"}}).status == 404);
  CHECK(buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", "nope"}}).status == 404);
  CHECK(other.post("/api/payments", {{"token", "tok_visa"}, {"orderId", b.order}}).status == 401);
  REQUIRE(buyer.del("/api/orders/" + b.order).status == 204);
  auto cancelled = buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", b.order}});
  CHECK(cancelled.status == 400);
  CHECK(cancelled.error_message() == "Cannot pay for a cancelled order");
}

TEST_CASE("POST /api/payments: a declined card answers 402, cancels the order and releases the ticket") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto b = hold(seller, buyer);
  auto r = buyer.post("/api/payments", {{"token", "tok_chargeDeclined"}, {"orderId", b.order}});
  CHECK(r.status == 402);
  CHECK(r.error_message() == "Your card was declined.");
  CHECK(str(buyer.get("/api/orders/" + b.order).json().at("status")) == "cancelled");
  CHECK(str(f.server.client().get("/api/tickets/" + b.ticket).json().at("status")) == "available");
}

TEST_CASE("POST /api/payments: no answer from the gateway is 502, the charge stays pending until resolved") {
  ApiFixture f({"--payment-resolution-delay", "1"});
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto b = hold(seller, buyer);
  auto r = buyer.post("/api/payments", {{"token", "tok_sandboxUnreachable"}, {"orderId", b.order}});
  CHECK(r.status == 502);
  // The outcome is unknown: recorded as pending, never as a failure, and the
  // order takes no second charge meanwhile.
  CHECK(str(buyer.get("/api/orders/" + b.order).json().at("status")) == "awaiting:payment");
  CHECK(str(f.server.client().get("/api/tickets/" + b.ticket).json().at("status")) == "reserved");
  auto second = buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", b.order}});
  CHECK(second.status == 400);
  CHECK(second.error_message() == "A payment for this order is already in progress");
  // The saga asks the gateway, which took nothing: the order is payable again.
  REQUIRE(eventually([&] { return str(buyer.get("/api/orders/" + b.order).json().at("status")) == "created"; }));
  auto retry = buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", b.order}});
  CHECK(retry.status == 201);
  CHECK(str(buyer.get("/api/orders/" + b.order).json().at("status")) == "complete");
}

TEST_CASE("POST /api/payments: an unknown token is refused without losing the hold") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto b = hold(seller, buyer);
  auto r = buyer.post("/api/payments", {{"token", "tok_madeUp"}, {"orderId", b.order}});
  CHECK(r.status == 400);
  CHECK(r.error_field() == "token");
  CHECK(str(buyer.get("/api/orders/" + b.order).json().at("status")) == "created");
}
