#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "api_fixture.hpp"
#include "eventually.hpp"
#include "rush.hpp"

using namespace ticketing::testing;
namespace asio = boost::asio;

namespace {

// POST /api/orders for `ticket` as the holder of `session`, sent on a new
// connection that is closed at once, without reading the answer.
void order_and_hang_up(std::uint16_t port, std::string const& session, std::string const& ticket) {
  std::string const body = R"({"ticketId":")" + ticket + R"("})";
  std::string const request =
      "POST /api/orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Cookie: session=" +
      session + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  asio::io_context ioc;
  asio::ip::tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(request));
  socket.close();
}

// The orders of `buyers` for `ticket`, by status.
std::map<std::string, int> orders_for(std::vector<HttpClient>& buyers, std::string const& ticket) {
  std::map<std::string, int> by_status;
  for (auto& buyer : buyers) {
    auto const orders = buyer.get("/api/orders").json();  // kept: the loop reads into it
    for (auto const& order : orders.as_array()) {
      if (str(order.at("ticket").at("id")) == ticket) ++by_status[str(order.at("status"))];
    }
  }
  return by_status;
}

constexpr int kBuyers = 40;

// A listed ticket and kBuyers signed-in buyers, on a fresh server.
struct HotTicket : ApiFixture {
  explicit HotTicket(std::vector<std::string> args = {}) : ApiFixture(std::move(args)) {
    for (int i = 0; i < kBuyers; ++i) buyers.push_back(user("buyer" + std::to_string(i)));
  }
  HttpClient seller = user("seller");
  std::string ticket = str(list_ticket(seller).at("id"));
  std::vector<HttpClient> buyers;
};

}  // namespace

TEST_CASE("40 concurrent buyers of one ticket: exactly one 201, every other 400") {
  HotTicket f;
  auto [ticket, buyers] = std::tie(f.ticket, f.buyers);
  RushAnswers answers;
  rush(kBuyers, [&](std::size_t i) { answers.count(buyers[i].post("/api/orders", {{"ticketId", ticket}})); });
  CHECK(answers.created == 1);
  CHECK(answers.refused == kBuyers - 1);
  CHECK(answers.other == 0);
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

TEST_CASE("buyers who hang up while queued for one ticket: one hold, the line moves on, and the hold still ends") {
  HotTicket f({"--reservation-ttl", "2"});
  auto [ticket, buyers] = std::tie(f.ticket, f.buyers);
  RushAnswers answers;
  rush(kBuyers, [&](std::size_t i) {
    if (i % 2 == 0) return order_and_hang_up(f.server.port(), buyers[i].session, ticket);
    answers.count(buyers[i].post("/api/orders", {{"ticketId", ticket}}));
  });
  // Half the buyers were gone before their answers: whoever won, the ticket
  // is held by one order, and every buyer who waited got an answer.
  CHECK(answers.created <= 1);
  CHECK(answers.created + answers.refused == kBuyers / 2);
  CHECK(answers.other == 0);
  REQUIRE(eventually([&] { return orders_for(buyers, ticket) == std::map<std::string, int>{{"created", 1}}; }));
  CHECK(str(f.server.client().get("/api/tickets/" + ticket).json().at("status")) == "reserved");
  // The hold ends on time and the ticket's line is free: a new buyer gets it.
  REQUIRE(eventually(
      [&] { return str(f.server.client().get("/api/tickets/" + ticket).json().at("status")) == "available"; },
      std::chrono::milliseconds(10000)));
  CHECK(orders_for(buyers, ticket) == std::map<std::string, int>{{"cancelled", 1}});
  auto late = f.user("late");
  CHECK(late.post("/api/orders", {{"ticketId", ticket}}).status == 201);
}

TEST_CASE("kill -9 while buyers of one ticket wait in its line: after the restart one order holds it, or none") {
  HotTicket f;
  auto [ticket, buyers] = std::tie(f.ticket, f.buyers);
  std::atomic<int> answered{0};
  rush(
      kBuyers,
      [&](std::size_t i) {
        // Answered or not (0: the server was killed first).
        if (buyers[i].post("/api/orders", {{"ticketId", ticket}}).status != 0) ++answered;
      },
      [&] {
        // Killed as soon as the first buyer has an answer: the others are
        // still in the ticket's line, or on their way to it.
        auto const give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (answered == 0 && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
        f.server.kill9();
      });
  REQUIRE(answered > 0);
  MESSAGE(answered.load(), " of ", kBuyers, " buyers answered before the kill");
  f.server.restart();
  // Whatever was acknowledged or not, the log holds at most one order for the
  // ticket, and the read models agree with it.
  std::vector<HttpClient> again;
  for (auto& buyer : buyers) {
    again.push_back(f.server.client());
    again.back().session = buyer.session;
  }
  REQUIRE(eventually([&] {
    auto const ready = f.server.client().get("/readyz");
    return ready.status == 200 && ready.json().at("projection_lag").to_number<std::int64_t>() == 0;
  }));
  auto const orders = orders_for(again, ticket);
  std::string const status = str(f.server.client().get("/api/tickets/" + ticket).json().at("status"));
  if (orders.empty()) {
    CHECK(status == "available");
  } else {
    CHECK(orders == std::map<std::string, int>{{"created", 1}});
    CHECK(status == "reserved");
  }
  // The line is not left taken: an order after the restart is decided.
  auto late = f.user("late");
  CHECK(late.post("/api/orders", {{"ticketId", ticket}}).status == (orders.empty() ? 201 : 400));
}
