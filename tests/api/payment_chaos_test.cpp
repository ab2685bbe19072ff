// Many buyers, payments with every gateway fault, retries with the same
// Idempotency-Key, cancellations, and kill -9 of the server in the middle of
// it all; afterwards the payment invariants of the README are checked over
// the whole log and the gateway stand-in's own records. Seeded: a failure
// names the seed that reproduces its choices.

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "api_fixture.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "eventually.hpp"
#include "gateway_standin.hpp"
#include "money_ledger.hpp"

using namespace ticketing;
using namespace ticketing::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::array<char const*, 8> kTokens{"tok_visa",           "tok_visa",        "tok_chargeDeclined",
                                             "tok_slow",           "tok_slowRefused", "tok_chargeThen500",
                                             "tok_chargeThenDrop", "tok_madeUp"};

struct Attempt {
  std::string order, key, token;
  int status{0};
  std::string body;
};

struct Chaos {
  GatewayStandIn gateway{400ms, 1200ms};  // searches lag past the first resolution
  TempDir dir;
  ServerProcess server{(dir.path() / "data").string(),
                       {"--payment-gateway", "stripe", "--stripe-api-base", gateway.base(),
                        "--payment-resolution-delay", "1", "--reservation-ttl", "2", "--payment-recheck-delay", "2"},
                       {{"STRIPE_KEY", "sk_test_standin"}}};
  std::atomic<std::uint16_t> port{server.port()};  // 0 while the server is down
  std::mutex mutex;
  std::vector<Attempt> attempts;
  std::vector<std::string> violations;

  HttpResult call(std::string const& session, std::string const& method, std::string const& target,
                  boost::json::value const& body, std::string const& key = {}) {
    std::uint16_t const p = port;
    if (p == 0) return {};
    HttpClient c(p);
    c.session = session;
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    if (method == "DELETE") return c.del(target);
    return c.post(target, body, headers);
  }

  void violation(std::string what) {
    std::lock_guard lock(mutex);
    violations.push_back(std::move(what));
  }
};

// Statuses a payment may answer under faults (0: the server died meanwhile).
bool expected_payment_status(int status) {
  return status == 0 || status == 201 || status == 400 || status == 402 || status == 409 || status == 502;
}

}  // namespace

TEST_CASE("payment chaos: buyers, faults, retries and kills end with every invariant holding") {
  std::uint32_t const seed = 20261128;
  MESSAGE("seed " << seed);
  Chaos f;
  HttpClient seller = f.server.client();
  sign_up(seller, "seller@example.com");
  std::vector<std::string> buyers;
  for (int b = 0; b < 4; ++b) {
    HttpClient c = f.server.client();
    sign_up(c, "buyer" + std::to_string(b) + "@example.com");
    buyers.push_back(c.session);
  }

  std::mt19937 rng(seed);
  for (int round = 0; round < 4; ++round) {
    // The seller lists; each buyer holds some of the tickets.
    std::vector<std::pair<std::size_t, std::string>> orders;  // buyer, order id
    for (int t = 0; t < 8; ++t) {
      HttpClient s(f.port);
      s.session = seller.session;
      std::string const ticket = str(ApiFixture::list_ticket(s, "Show", 10 + t).at("id"));
      std::size_t const b = rng() % buyers.size();
      HttpClient c(f.port);
      c.session = buyers[b];
      auto r = c.post("/api/orders", {{"ticketId", ticket}});
      REQUIRE_MESSAGE(r.status == 201, r.body);
      orders.emplace_back(b, str(r.json().at("id")));
    }
    // Everyone pays at once, some twice with the same key, some cancel.
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < orders.size(); ++i) {
      auto const choice = static_cast<std::uint32_t>(rng());
      workers.emplace_back([&, i, choice] {
        auto const& [b, order] = orders[i];
        Attempt a{order, "pay-" + order, kTokens[choice % kTokens.size()], 0, {}};
        auto r = f.call(buyers[b], "POST", "/api/payments", {{"token", a.token}, {"orderId", order}}, a.key);
        a.status = r.status;
        a.body = r.body;
        if (!expected_payment_status(r.status))
          f.violation("payment answered " + std::to_string(r.status) + " " + r.body);
        if ((choice >> 8) % 3 == 0) (void)f.call(buyers[b], "DELETE", "/api/orders/" + order, nullptr);
        std::lock_guard lock(f.mutex);
        f.attempts.push_back(std::move(a));
      });
    }
    // Rounds 1 and 2 kill the server while payments are in flight.
    if (round == 1 || round == 2) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 300));
      f.port = 0;
      f.server.kill9();
    }
    for (auto& w : workers) w.join();
    if (!f.server.running()) {
      f.server.restart();
      f.port = f.server.port();
    }
    // Every payment is retried with its key: the first answer, or (if the
    // first never finished) the same operation finished. Never 404.
    for (auto& a : f.attempts) {
      std::size_t const b = [&] {
        for (auto const& [buyer, order] : orders)
          if (order == a.order) return buyer;
        return buyers.size();
      }();
      if (b == buyers.size()) continue;  // an earlier round's
      auto r = f.call(buyers[b], "POST", "/api/payments", {{"token", "tok_visa"}, {"orderId", a.order}}, a.key);
      if (r.status == 404 || (r.status >= 500 && r.status != 502)) {
        f.violation("retry of " + a.key + " answered " + std::to_string(r.status) + " " + r.body);
      }
      if (a.status != 0 && a.status < 500 && (r.status != a.status || r.body != a.body)) {
        f.violation("retry of " + a.key + " got " + std::to_string(r.status) + " after " + std::to_string(a.status));
      }
    }
  }

  // Every hold ends: each order completes, or is cancelled or expired.
  auto const all_ended = [&] {
    for (auto const& session : buyers) {
      HttpClient c(f.port);
      c.session = session;
      auto r = c.get("/api/orders");
      if (r.status != 200) return false;
      auto const list = r.json();
      for (auto const& o : list.as_array()) {
        std::string const s = str(o.at("status"));
        if (s != "complete" && s != "cancelled") return false;
      }
    }
    return true;
  };
  CHECK(eventually(all_ended, 30s));
  // And every charge is settled: no saga timer (resolution, recheck, refund) is left.
  auto const settled = [&] {
    HttpClient c(f.port);
    std::string const metrics = c.get("/metrics").body;
    return metrics.find("\nticketing_pending_timers 0\n") != std::string::npos;
  };
  CHECK(eventually(settled, 30s));
  for (auto const& v : f.violations) FAIL_CHECK(v);

  f.server.terminate();
  auto log = RocksDbLog::open({.path = f.server.data_dir() + "/log"});
  REQUIRE(log.has_value());
  auto const ledger = LogLedger::read(**log);
  for (auto const& v : money_violations(ledger, f.gateway.charges())) FAIL_CHECK(v);
  CHECK(ledger.open_orders.empty());
  MESSAGE("orders " << ledger.order_cents.size() << ", completed " << ledger.completed.size() << ", charges "
                    << f.gateway.charges().size() << ", refunds " << ledger.refunded.size());
  CHECK(ledger.completed.size() > 0);
}
