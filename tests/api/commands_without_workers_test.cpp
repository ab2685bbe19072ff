// Listing, changing and ordering are answered without a worker thread: the
// command is decided on the connection's thread and answered when its commit
// is durable and visible. Shown with one worker, kept busy by a payment the
// gateway holds for a long time. Payments have workers of their own: a
// gateway that hangs holds up payments only, and never more than a bounded
// number of them wait.

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "api_fixture.hpp"
#include "eventually.hpp"
#include "gateway_standin.hpp"

using namespace ticketing::testing;
using namespace std::chrono_literals;

TEST_CASE("with the only worker busy, tickets are listed, changed, ordered and cancelled") {
  // tok_slow takes the money at once and answers 12 s later (the server
  // waits up to 15 s): the payment holds the one worker that long.
  GatewayStandIn gateway(12s);
  TempDir dir;
  ServerProcess server((dir.path() / "data").string(),
                       {"--payment-gateway", "stripe", "--stripe-api-base", gateway.base(), "--workers", "1"},
                       {{"STRIPE_KEY", "sk_test_standin"}});
  HttpClient seller = server.client();
  sign_up(seller, "seller@example.com");
  HttpClient buyer = server.client();
  sign_up(buyer, "buyer@example.com");
  Held const paying = hold(seller, buyer);

  // The payment takes the one worker and waits on the gateway.
  auto payment = std::async(std::launch::async, [&] {
    HttpClient c = server.client();
    c.session = buyer.session;
    return c.post("/api/payments", {{"token", "tok_slow"}, {"orderId", paying.order}}).status;
  });
  REQUIRE(eventually([&] { return !gateway.charges().empty(); }));

  std::vector<std::string> tickets;
  for (int i = 0; i < 5; ++i) {
    auto listed = seller.post("/api/tickets", {{"title", "Row " + std::to_string(i)}, {"price", 30}});
    REQUIRE_MESSAGE(listed.status == 201, listed.body);
    tickets.push_back(str(listed.json().at("id")));
  }
  auto changed = seller.put("/api/tickets/" + tickets[0], {{"title", "Row 0, aisle"}, {"price", 35}});
  CHECK(changed.status == 200);
  CHECK(str(changed.json().at("title")) == "Row 0, aisle");
  std::vector<std::string> orders;
  for (auto const& t : tickets) {
    auto placed = buyer.post("/api/orders", {{"ticketId", t}});
    REQUIRE_MESSAGE(placed.status == 201, placed.body);
    orders.push_back(str(placed.json().at("id")));
  }
  CHECK(buyer.del("/api/orders/" + orders.back()).status == 204);
  // Each answer came after its commit was visible: read your writes.
  CHECK(str(buyer.get("/api/orders/" + orders.back()).json().at("status")) == "cancelled");
  CHECK(str(server.client().get("/api/tickets/" + tickets[1]).json().at("status")) == "reserved");
  // All of it while the payment still held the only worker (before, each
  // of these waited for a worker).
  CHECK(payment.wait_for(0s) == std::future_status::timeout);
  server.kill9();
  (void)payment.get();
}

TEST_CASE("a gateway that hangs holds up payments only: sign-ins go on, and waiting payments are bounded") {
  // tok_slow takes the money at once and answers 12 s later. One payment
  // worker, so up to 8 payments at once: one at the gateway, 7 waiting.
  GatewayStandIn gateway(12s);
  TempDir dir;
  ServerProcess server(
      (dir.path() / "data").string(),
      {"--payment-gateway", "stripe", "--stripe-api-base", gateway.base(), "--workers", "1", "--payment-workers", "1"},
      {{"STRIPE_KEY", "sk_test_standin"}});
  HttpClient seller = server.client();
  sign_up(seller, "seller@example.com");
  HttpClient buyer = server.client();
  sign_up(buyer, "buyer@example.com");
  std::vector<Held> held;
  for (int i = 0; i < 9; ++i) held.push_back(hold(seller, buyer));
  auto const in_progress = [&] {
    std::string const body = server.client().get("/metrics").body;
    auto const at = body.find("\nticketing_payments_in_progress ");
    return at == std::string::npos ? -1 : std::stoi(body.substr(at + 32));
  };

  std::vector<std::future<int>> payments;
  for (int i = 0; i < 8; ++i) {
    payments.push_back(std::async(std::launch::async, [&, i] {
      HttpClient c = server.client();
      c.session = buyer.session;
      return pay(c, held[static_cast<std::size_t>(i)].order, "tok_slow").status;
    }));
  }
  REQUIRE(eventually([&] { return in_progress() == 8 && gateway.charges().size() == 1; }));

  // A ninth is refused at once: nothing charged, its hold kept, try again.
  HttpResult const ninth = pay(buyer, held[8].order, "tok_visa");
  CHECK(ninth.status == 503);
  CHECK(ninth.header("retry-after") == "1");
  CHECK(ninth.body == R"({"errors":[{"message":"Service temporarily unavailable, try again shortly"}]})");
  CHECK(str(buyer.get("/api/orders/" + held[8].order).json().at("status")) == "created");
  // Counted and logged as any answer.
  CHECK_FALSE(ninth.header("x-request-id").empty());
  CHECK(server.client()
            .get("/metrics")
            .body.find(R"(http_requests_total{method="POST",route="/api/payments",status="503"} 1)") !=
        std::string::npos);

  // Signing in and up takes the one general worker (password hashing): the
  // payments do not hold it.
  HttpClient returning = server.client();
  auto const signed_in =
      returning.post("/api/users/signin", {{"email", "seller@example.com"}, {"password", "password123"}});
  CHECK(signed_in.status == 200);
  HttpClient newcomer = server.client();
  sign_up(newcomer, "newcomer@example.com");
  // All of it while the first payment was still at the gateway.
  CHECK(payments.front().wait_for(0s) == std::future_status::timeout);
  CHECK(gateway.charges().size() == 1);
  server.kill9();
  for (auto& p : payments) (void)p.get();
}

namespace {

// Orders on distinct tickets from eight connections until the tickets run
// out or the server goes away, while `stop` stops the server once 40 were
// sent; then, restarted, every order answered 201 is there.
void orders_survive(std::function<void(ServerProcess&)> const& stop) {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::vector<std::string> tickets;
  for (int i = 0; i < 160; ++i)
    tickets.push_back(str(ApiFixture::list_ticket(seller, "T" + std::to_string(i)).at("id")));
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::vector<std::string> placed;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      HttpClient c = f.server.client();
      c.session = buyer.session;
      for (std::size_t n = next++; n < tickets.size(); n = next++) {
        auto r = c.post("/api/orders", {{"ticketId", tickets[n]}});
        if (r.status == 0) break;  // the server went away
        if (r.status == 201) {
          std::lock_guard lock(mutex);
          placed.push_back(str(r.json().at("id")));
        }
      }
    });
  }
  REQUIRE(eventually([&] { return next >= 40; }));
  stop(f.server);
  for (auto& t : threads) t.join();
  f.server.restart();
  HttpClient again = f.server.client();
  again.session = buyer.session;
  CHECK(placed.size() >= 30);
  for (auto const& order : placed) {
    auto const r = again.get("/api/orders/" + order);
    CHECK_MESSAGE(r.status == 200, order);
  }
}

}  // namespace

TEST_CASE("SIGTERM while orders are answered without workers: a clean exit, and every order answered 201 is kept") {
  orders_survive([](ServerProcess& server) { CHECK(server.terminate() == 0); });
}

TEST_CASE("kill -9 while orders are answered without workers: every order answered 201 is kept") {
  orders_survive([](ServerProcess& server) { server.kill9(); });
}
