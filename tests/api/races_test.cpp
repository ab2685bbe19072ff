#include <atomic>
#include <thread>

#include "api_fixture.hpp"

using namespace ticketing::testing;

TEST_CASE("40 concurrent buyers of one ticket: exactly one 201, every other 400") {
  ApiFixture f;
  auto seller = f.user("seller");
  std::string const ticket = str(ApiFixture::list_ticket(seller).at("id"));
  constexpr int kBuyers = 40;
  std::vector<HttpClient> buyers;
  for (int i = 0; i < kBuyers; ++i) buyers.push_back(f.user("buyer" + std::to_string(i)));
  std::atomic<int> created{0}, refused{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kBuyers; ++i) {
    threads.emplace_back([&, i] {
      while (!go) std::this_thread::yield();
      auto r = buyers[static_cast<std::size_t>(i)].post("/api/orders", {{"ticketId", ticket}});
      if (r.status == 201) {
        ++created;
      } else if (r.status == 400 && r.error_message() == "Ticket is already reserved") {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  CHECK(created == 1);
  CHECK(refused == kBuyers - 1);
  CHECK(other == 0);
  CHECK(str(f.server.client().get("/api/tickets/" + ticket).json().at("status")) == "reserved");
}

TEST_CASE("a seller's price change racing orders: never both, the winning order pays the price it named") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  for (int round = 0; round < 15; ++round) {
    std::string const ticket = str(ApiFixture::list_ticket(seller, "Show", 20).at("id"));
    HttpResult order, update;
    std::atomic<bool> go{false};
    std::thread t1([&] {
      while (!go) std::this_thread::yield();
      order = buyer.post("/api/orders", {{"ticketId", ticket}, {"price", 20}});
    });
    std::thread t2([&] {
      while (!go) std::this_thread::yield();
      update = seller.put("/api/tickets/" + ticket, {{"title", "Show"}, {"price", 40}});
    });
    go = true;
    t1.join();
    t2.join();
    INFO("round " << round << ": order " << order.status << " " << order.body << " / update " << update.status);
    CHECK_FALSE((order.status == 201 && update.status == 200));
    CHECK((order.status == 201 || update.status == 200));
    if (order.status == 201) {
      CHECK(order.json().at("ticket").at("price").to_number<double>() == 20);
      CHECK(update.error_message() == "Cannot edit a reserved ticket");
    } else {
      CHECK(order.status == 409);
      CHECK(order.json().at("currentPrice").to_number<double>() == 40);
    }
  }
}
