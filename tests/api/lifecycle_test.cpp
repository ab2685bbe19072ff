// Expiry, restarts and crashes, against the real server process.

#include <cstdlib>
#include <thread>

#include "api_fixture.hpp"
#include "eventually.hpp"

using namespace ticketing::testing;

TEST_CASE("an unpaid hold expires after the reservation window and the ticket is listed again") {
  ApiFixture f({"--reservation-ttl", "2"});
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::string const ticket = str(ApiFixture::list_ticket(seller).at("id"));
  std::string const order = str(ApiFixture::place_order(buyer, ticket).at("id"));
  CHECK(str(buyer.get("/api/orders/" + order).json().at("status")) == "created");
  CHECK(eventually([&] { return str(buyer.get("/api/orders/" + order).json().at("status")) == "cancelled"; }));
  CHECK(str(f.server.client().get("/api/tickets/" + ticket).json().at("status")) == "available");
  CHECK(f.server.client().get("/api/tickets").json().as_array().size() == 1);
}

TEST_CASE("kill -9 and restart keep every acknowledged write, the sessions and the timers") {
  ApiFixture f({"--reservation-ttl", "3"});
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::vector<std::string> tickets;
  for (int i = 0; i < 20; ++i)
    tickets.push_back(str(ApiFixture::list_ticket(seller, "T" + std::to_string(i)).at("id")));
  std::string const held = tickets[0];
  std::string const order = str(ApiFixture::place_order(buyer, held).at("id"));
  std::string const paid_ticket = tickets[1];
  std::string const paid = str(ApiFixture::place_order(buyer, paid_ticket).at("id"));
  REQUIRE(buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", paid}}).status == 201);

  f.server.kill9();
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // the hold's deadline passes while down
  f.server.restart();

  auto anon = f.server.client();
  for (auto const& id : tickets) CHECK(anon.get("/api/tickets/" + id).status == 200);
  auto reconnected = f.server.client();
  reconnected.session = buyer.session;  // the session survives: same key, not revoked
  CHECK(reconnected.get("/api/users/currentuser").json().at("currentUser").is_object());
  CHECK(str(reconnected.get("/api/orders/" + paid).json().at("status")) == "complete");
  CHECK(str(anon.get("/api/tickets/" + paid_ticket).json().at("status")) == "sold");
  // The overdue timer fired once at start-up.
  CHECK(eventually([&] { return str(reconnected.get("/api/orders/" + order).json().at("status")) == "cancelled"; },
                   std::chrono::milliseconds(5000)));
  CHECK(str(anon.get("/api/tickets/" + held).json().at("status")) == "available");
}

TEST_CASE("a restart that asks for another partition count keeps the log's, and the read models follow it") {
  ApiFixture f({"--partitions", "8"});
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::vector<std::string> tickets;
  for (int i = 0; i < 12; ++i)
    tickets.push_back(str(ApiFixture::list_ticket(seller, "T" + std::to_string(i)).at("id")));
  REQUIRE(f.server.terminate() == 0);

  // The log and the read models open side by side, the read models for the
  // count asked for; the log keeps the count it was created with.
  ServerProcess again(f.server.data_dir(), {"--partitions", "2"});
  auto anon = again.client();
  CHECK(anon.get("/readyz").status == 200);
  CHECK(anon.get("/api/tickets").json().as_array().size() == tickets.size());
  auto reconnected = again.client();
  reconnected.session = buyer.session;
  for (auto const& id : tickets) {
    auto const placed = reconnected.post("/api/orders", {{"ticketId", id}});
    CHECK_MESSAGE(placed.status == 201, placed.body);
  }
  CHECK(anon.get("/api/tickets").json().as_array().empty());
  CHECK(reconnected.get("/api/orders").json().as_array().size() == tickets.size());
  CHECK(anon.get("/readyz").status == 200);
}

TEST_CASE("SIGTERM stops the server cleanly with exit status 0") {
  ApiFixture f;
  auto c = f.user("alice");
  ApiFixture::list_ticket(c);
  CHECK(f.server.terminate() == 0);
  f.server.restart();
  CHECK(f.server.client().get("/api/tickets").json().as_array().size() == 1);
}

TEST_CASE("ticketing rebuild replaces the read models with ones rebuilt from the log") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::string const kept = str(ApiFixture::list_ticket(seller, "Kept", 10).at("id"));
  std::string const bought = str(ApiFixture::list_ticket(seller, "Bought", 20).at("id"));
  std::string const order = str(ApiFixture::place_order(buyer, bought).at("id"));
  REQUIRE(buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", order}}).status == 201);
  auto const before_ticket = f.server.client().get("/api/tickets/" + bought).body;
  auto const before_orders = buyer.get("/api/orders").body;
  REQUIRE(f.server.terminate() == 0);

  std::string const command =
      std::string(TICKETING_BINARY) + " rebuild --data " + f.server.data_dir() + " > /dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  f.server.restart();
  auto reconnected = f.server.client();
  reconnected.session = buyer.session;
  CHECK(f.server.client().get("/api/tickets/" + bought).body == before_ticket);
  CHECK(reconnected.get("/api/orders").body == before_orders);
  CHECK(f.server.client().get("/api/tickets").json().as_array().size() == 1);
  CHECK(str(f.server.client().get("/api/tickets/" + kept).json().at("status")) == "available");
}
