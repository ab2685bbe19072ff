#include <chrono>
#include <thread>

#include "api_fixture.hpp"

using namespace ticketing::testing;

TEST_CASE("POST /api/tickets: 201 with the ticket shape, 401 when anonymous") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto r = seller.post("/api/tickets", {{"title", "Concert"}, {"price", 19.99}});
  REQUIRE(r.status == 201);
  auto t = r.json().as_object();
  CHECK(t.at("id").as_string().size() == 24);
  CHECK(str(t.at("title")) == "Concert");
  CHECK(t.at("price").to_number<double>() == doctest::Approx(19.99));
  CHECK(str(t.at("status")) == "available");
  CHECK(t.at("version").as_int64() == 0);
  CHECK_FALSE(t.contains("orderId"));
  auto me = seller.get("/api/users/currentuser");
  CHECK(t.at("userId") == me.json().at("currentUser").at("id"));
  auto anon = f.server.client();
  auto denied = anon.post("/api/tickets", {{"title", ""}, {"price", -1}});
  CHECK(denied.status == 401);  // authentication is checked before the body
  CHECK(denied.error_message() == "Not authorized");
}

TEST_CASE("POST /api/tickets: title and price validation with the messages of API.md") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto both = seller.post("/api/tickets", {{"title", ""}, {"price", 0}});
  REQUIRE(both.status == 400);
  CHECK(both.error_message(0) == "Title is required");
  CHECK(both.error_field(0) == "title");
  CHECK(both.error_message(1) == "Price must be greater than 0");
  CHECK(both.error_field(1) == "price");
  CHECK(seller.post("/api/tickets", {{"price", 10}}).error_message() == "Title is required");
  CHECK(seller.post("/api/tickets", {{"title", "x"}}).error_message() == "Price must be greater than 0");
  CHECK(seller.post("/api/tickets", {{"title", "x"}, {"price", -10}}).error_message() ==
        "Price must be greater than 0");
  CHECK(seller.post("/api/tickets", {{"title", "x"}, {"price", 12.345}}).error_message() ==
        "Price must have at most 2 decimal places");
  CHECK(seller.post("/api/tickets", {{"title", "x"}, {"price", 1000000.01}}).error_message() ==
        "Price must be at most 1000000");
  CHECK(seller.post("/api/tickets", {{"title", "x"}, {"price", "abc"}}).error_message() ==
        "Price must be greater than 0");
  CHECK(seller.post("/api/tickets", {{"title", 5}, {"price", 5}}).error_message() == "Title is required");
  CHECK(seller.post("/api/tickets", {{"title", "x"}, {"price", true}}).error_field() == "price");
  auto as_string = seller.post("/api/tickets", {{"title", "x"}, {"price", "20.00"}});
  REQUIRE(as_string.status == 201);
  CHECK(as_string.json().at("price").to_number<double>() == 20);
}

TEST_CASE("GET /api/tickets: available tickets only, oldest first, paginated with a Link header") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(str(ApiFixture::list_ticket(seller, "T" + std::to_string(i)).at("id")));
    // Listing times are kept to the millisecond, and tickets listed within
    // one millisecond are in the order of their ids: these five are listed
    // in distinct milliseconds, so oldest first is the order they were listed.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ApiFixture::place_order(buyer, ids[1]);  // reserved: no longer listed
  auto all = f.server.client().get("/api/tickets");
  REQUIRE(all.status == 200);
  auto const doc = all.json();
  auto const& list = doc.as_array();
  REQUIRE(list.size() == 4);
  CHECK(str(list[0].at("id")) == ids[0]);
  CHECK(str(list[1].at("id")) == ids[2]);
  CHECK(str(list[3].at("id")) == ids[4]);
  CHECK(all.header("link").empty());

  auto page1 = f.server.client().get("/api/tickets?limit=2");
  REQUIRE(page1.json().as_array().size() == 2);
  std::string const link = page1.header("link");
  REQUIRE(link.find("rel=\"next\"") != std::string::npos);
  std::string const next = link.substr(1, link.find('>') - 1);
  CHECK(next.starts_with("/api/tickets?limit=2&cursor="));
  auto page2 = f.server.client().get(next);
  REQUIRE(page2.json().as_array().size() == 2);
  CHECK(str(page2.json().as_array()[0].at("id")) == ids[3]);
  CHECK(page2.header("link").empty());
  CHECK(f.server.client().get("/api/tickets?limit=0").status == 400);
  CHECK(f.server.client().get("/api/tickets?limit=501").status == 400);
  CHECK(f.server.client().get("/api/tickets?cursor=zz").status == 400);
}

TEST_CASE("GET /api/tickets/:id: 200, with orderId while reserved, 404 for unknown and malformed ids") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::string const id = str(ApiFixture::list_ticket(seller).at("id"));
  auto anon = f.server.client();
  CHECK(anon.get("/api/tickets/" + id).status == 200);
  auto order = ApiFixture::place_order(buyer, id);
  auto reserved = anon.get("/api/tickets/" + id).json();
  CHECK(str(reserved.at("status")) == "reserved");
  CHECK(reserved.at("orderId") == order.at("id"));
  CHECK(reserved.at("version").as_int64() == 1);
  auto missing = anon.get("/api/tickets/000000000000000000000000");
  CHECK(missing.status == 404);
  CHECK(missing.error_message() == "Not Found");
  CHECK(anon.get("/api/tickets/not-an-id").status == 404);
}

TEST_CASE("PUT /api/tickets/:id: the seller edits an available ticket, every failure in its order") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto other = f.user("other");
  std::string const id = str(ApiFixture::list_ticket(seller).at("id"));
  auto updated = seller.put("/api/tickets/" + id, {{"title", "Better"}, {"price", 25}});
  REQUIRE(updated.status == 200);
  CHECK(str(updated.json().at("title")) == "Better");
  CHECK(updated.json().at("version").as_int64() == 1);
  CHECK(f.server.client().get("/api/tickets/" + id).json().at("price").to_number<double>() == 25);

  auto invalid = seller.put("/api/tickets/" + id, {{"title", ""}, {"price", 0}});
  REQUIRE(invalid.status == 400);
  CHECK(invalid.error_message(0) == "Title is required");
  CHECK(invalid.error_message(1) == "Price must be provided and must be greater than 0");
  CHECK(seller.put("/api/tickets/000000000000000000000000", {{"title", "x"}, {"price", 5}}).status == 404);
  auto not_seller = other.put("/api/tickets/" + id, {{"title", "Mine"}, {"price", 1}});
  CHECK(not_seller.status == 401);
  auto stale = seller.put("/api/tickets/" + id, {{"title", "x"}, {"price", 5}, {"version", 0}});
  CHECK(stale.status == 409);
  CHECK(seller.put("/api/tickets/" + id, {{"title", "x"}, {"price", 5}, {"version", 1}}).status == 200);
  CHECK(f.server.client().put("/api/tickets/" + id, {{"title", "x"}, {"price", 5}}).status == 401);

  ApiFixture::place_order(other, id);
  auto reserved = seller.put("/api/tickets/" + id, {{"title", "x"}, {"price", 50}});
  CHECK(reserved.status == 400);
  CHECK(reserved.error_message() == "Cannot edit a reserved ticket");
}

TEST_CASE("tickets for sale searched by title and sorted by price, page by page, the Link keeping the query") {
  ApiFixture f;
  auto seller = f.user("seller");
  for (auto const& [title, price] : std::vector<std::pair<std::string, double>>{
           {"Rock & roll night", 30}, {"Opera", 80}, {"rock festival", 12.5}, {"Jazz", 45}, {"Punk rock", 20}}) {
    ApiFixture::list_ticket(seller, title, price);
  }
  auto client = f.server.client();
  auto first = client.get("/api/tickets?limit=2&sort=price&q=ROCK");
  REQUIRE(first.status == 200);
  auto const page = first.json().as_array();
  REQUIRE(page.size() == 2);
  CHECK(page[0].at("title") == "rock festival");
  CHECK(page[1].at("title") == "Punk rock");
  std::string const link = first.header("link");
  CHECK(link.find("sort=price") != std::string::npos);
  CHECK(link.find("q=ROCK") != std::string::npos);
  auto const next = client.get(link.substr(1, link.find('>') - 1));
  REQUIRE(next.status == 200);
  REQUIRE(next.json().as_array().size() == 1);
  CHECK(next.json().as_array()[0].at("title") == "Rock & roll night");
  CHECK(next.header("link").empty());

  auto const dear = client.get("/api/tickets?sort=-price&limit=1").json().as_array();
  CHECK(dear.at(0).at("title") == "Opera");
  // Text that needs escaping comes back escaped in the Link.
  auto const escaped = client.get("/api/tickets?limit=1&q=%26%20roll");
  CHECK(escaped.json().as_array().at(0).at("title") == "Rock & roll night");
  auto const bad = client.get("/api/tickets?sort=cheapest");
  CHECK(bad.status == 400);
  CHECK(bad.error_field() == "sort");
  CHECK(client.get("/api/tickets?q=" + std::string(201, 'x')).error_field() == "q");
}
