#include "api_fixture.hpp"

using namespace ticketing::testing;

TEST_CASE("POST /api/orders: 201 with the order, holding the ticket at the price it had") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto ticket = ApiFixture::list_ticket(seller, "Show", 40);
  auto r = buyer.post("/api/orders", {{"ticketId", ticket.at("id")}});
  REQUIRE(r.status == 201);
  auto o = r.json().as_object();
  CHECK(str(o.at("status")) == "created");
  CHECK(o.at("version").as_int64() == 0);
  CHECK(str(o.at("id")).starts_with(str(ticket.at("id"))));
  CHECK(o.at("ticket").at("id") == ticket.at("id"));
  CHECK(o.at("ticket").at("price").to_number<double>() == 40);
  CHECK(str(o.at("expiresAt")).size() == 24);
  CHECK(o.at("userId") == buyer.get("/api/users/currentuser").json().at("currentUser").at("id"));
}

TEST_CASE("POST /api/orders: every failure of API.md in order") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto late = f.user("late");
  std::string const id = str(ApiFixture::list_ticket(seller, "Show", 40).at("id"));
  CHECK(f.server.client().post("/api/orders", {{"ticketId", id}}).status == 401);
  auto missing = buyer.post("/api/orders", json::object{});
  CHECK(missing.status == 400);
  CHECK(missing.error_message() == "TicketId must be provided");
  CHECK(missing.error_field() == "ticketId");
  CHECK(buyer.post("/api/orders", {{"ticketId", ""}}).error_message() == "TicketId must be provided");
  CHECK(buyer.post("/api/orders", {{"ticketId", "000000000000000000000000"}}).status == 404);
  CHECK(buyer.post("/api/orders", {{"ticketId", "bogus"}}).status == 404);
  auto own = seller.post("/api/orders", {{"ticketId", id}});
  CHECK(own.status == 400);
  CHECK(own.error_message() == "You cannot buy your own ticket");
  auto changed = buyer.post("/api/orders", {{"ticketId", id}, {"price", 30}});
  CHECK(changed.status == 409);
  CHECK(changed.error_message() == "Ticket price has changed");
  CHECK(changed.error_field() == "price");
  CHECK(changed.json().at("currentPrice").to_number<double>() == 40);
  CHECK(buyer.post("/api/orders", {{"ticketId", id}, {"price", 40}}).status == 201);
  auto taken = late.post("/api/orders", {{"ticketId", id}});
  CHECK(taken.status == 400);
  CHECK(taken.error_message() == "Ticket is already reserved");
}

TEST_CASE("GET /api/orders and /api/orders/:id: the caller's own orders only") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto other = f.user("other");
  auto first = ApiFixture::place_order(buyer, str(ApiFixture::list_ticket(seller, "A").at("id")));
  auto second = ApiFixture::place_order(buyer, str(ApiFixture::list_ticket(seller, "B").at("id")));
  auto mine = buyer.get("/api/orders");
  REQUIRE(mine.status == 200);
  REQUIRE(mine.json().as_array().size() == 2);
  CHECK(mine.json().as_array()[0].at("id") == first.at("id"));
  CHECK(mine.json().as_array()[1].at("id") == second.at("id"));
  CHECK(other.get("/api/orders").json().as_array().empty());
  CHECK(f.server.client().get("/api/orders").status == 401);
  std::string const id = str(first.at("id"));
  CHECK(buyer.get("/api/orders/" + id).status == 200);
  CHECK(other.get("/api/orders/" + id).status == 401);
  CHECK(buyer.get("/api/orders/000000000000000000000000-9").status == 404);
  CHECK(buyer.get("/api/orders/garbage").status == 404);
}

TEST_CASE("DELETE /api/orders/:id: 204, cancelled, ticket released, twice is still 204, others 401") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto other = f.user("other");
  std::string const ticket = str(ApiFixture::list_ticket(seller).at("id"));
  std::string const id = str(ApiFixture::place_order(buyer, ticket).at("id"));
  CHECK(other.del("/api/orders/" + id).status == 401);
  CHECK(buyer.del("/api/orders/000000000000000000000000-1").status == 404);
  auto r = buyer.del("/api/orders/" + id);
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  auto order = buyer.get("/api/orders/" + id).json();
  CHECK(str(order.at("status")) == "cancelled");
  CHECK(order.at("version").as_int64() == 1);
  auto t = f.server.client().get("/api/tickets/" + ticket).json();
  CHECK(str(t.at("status")) == "available");
  CHECK_FALSE(t.as_object().contains("orderId"));
  CHECK(buyer.del("/api/orders/" + id).status == 204);
  CHECK(buyer.get("/api/orders/" + id).json().at("version").as_int64() == 1);  // nothing changed
  // The released ticket can be bought again.
  CHECK(other.post("/api/orders", {{"ticketId", ticket}}).status == 201);
}

TEST_CASE("DELETE /api/orders/:id: a completed order cannot be cancelled") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::string const id = str(ApiFixture::place_order(buyer, str(ApiFixture::list_ticket(seller).at("id"))).at("id"));
  REQUIRE(buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", id}}).status == 201);
  auto r = buyer.del("/api/orders/" + id);
  CHECK(r.status == 400);
  CHECK(r.error_message() == "Cannot cancel a completed order");
  CHECK(str(buyer.get("/api/orders/" + id).json().at("status")) == "complete");
}
