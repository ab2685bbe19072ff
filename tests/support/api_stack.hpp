#pragma once
// The whole API in this process, without sockets (test-only): the embedded
// log, the read models, the saga with the sandbox gateway, and `Api`, on a
// clock the test moves by hand. For behaviour that depends on time (holds
// that expire, deadlines) without waiting for it; what needs a process
// (kill -9, the network) stays with ServerProcess.

#include <memory>
#include <string>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include "api/api.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "eventstore/small_store.hpp"
#include "eventually.hpp"
#include "gated_log.hpp"
#include "manual_clock.hpp"
#include "processes/order_saga.hpp"
#include "processes/sandbox_gateway.hpp"
#include "temp_dir.hpp"

namespace ticketing::testing {

template <class T>
T opened_or_fail(Result<T> r) {
  REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
  return std::move(*r);
}

struct ApiStackOptions {
  Duration reservation_ttl{std::chrono::minutes(15)};
  std::string admin_token{};           // the analysts' routes answer with this bearer token
  rocksdb::Env* log_env{nullptr};      // the log's file system (a failing disk), if not the default
  rocksdb::Env* replies_env{nullptr};  // the same for the replies kept for Idempotency-Keys
};

struct ApiStack {
  explicit ApiStack(ApiStackOptions chosen = {})
      : options(std::move(chosen)),
        services{event_log,
                 market,
                 *read_models,
                 projector,
                 payments,
                 clock,
                 tokens,
                 passwords,
                 limits,
                 idempotency,
                 metrics,
                 logger,
                 api::ApiConfig{.reservation_ttl = options.reservation_ttl},
                 api::AnalystAccess{.admin_token = options.admin_token, .redactor = std::nullopt}} {
    projector.start();
    saga.start();
  }
  ~ApiStack() {
    saga.stop();
    projector.stop();
  }

  struct Answer {
    int status;
    boost::json::value json;  // null for an empty body
    std::string header(std::string_view name) const {
      for (auto const& [k, v] : headers)
        if (k == name) return v;
      return {};
    }
    std::vector<std::pair<std::string, std::string>> headers;
  };

  // One request with these headers, answered as the API made it (a stream
  // included).
  api::HttpResponse raw(std::string method, std::string path,
                        std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = {}) {
    api::HttpRequest request;
    request.method = std::move(method);
    auto const q = path.find('?');
    request.path = path.substr(0, q);
    if (q != std::string::npos) request.query = path.substr(q + 1);
    request.remote_address = "127.0.0.1";
    request.request_id = "test-" + std::to_string(++requests_);
    request.headers = std::move(headers);
    request.headers.emplace_back("host", "localhost");
    request.body = std::move(body);
    return api.handle(request);
  }

  // One request; `session` is a token from sign_up.
  Answer call(std::string method, std::string path, boost::json::value const& body = nullptr,
              std::string const& session = {}) {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string text;
    if (!body.is_null()) {
      text = boost::json::serialize(body);
      headers.emplace_back("content-type", "application/json");
    }
    if (!session.empty()) headers.emplace_back("cookie", "session=" + session);
    auto const response = raw(std::move(method), std::move(path), std::move(headers), std::move(text));
    Answer answer{response.status, nullptr, response.headers};
    if (!response.body.empty()) answer.json = boost::json::parse(response.body);
    return answer;
  }

  // Signs up `name`@example.com and answers its session token.
  std::string sign_up(std::string const& name) {
    auto const r = call("POST", "/api/users/signup", {{"email", name + "@example.com"}, {"password", "password123"}});
    REQUIRE(r.status == 201);
    std::string const cookie = r.header("Set-Cookie");
    auto const start = cookie.find('=') + 1;
    return cookie.substr(start, cookie.find(';') - start);
  }
  std::string list_ticket(std::string const& seller, double price = 20) {
    auto const r = call("POST", "/api/tickets", {{"title", "Show"}, {"price", price}}, seller);
    REQUIRE(r.status == 201);
    return std::string(r.json.at("id").as_string());
  }
  // A seller, a buyer and one of the seller's tickets, in the read models.
  struct Market {
    std::string seller, buyer, ticket;
  };
  Market seller_buyer_ticket() {
    Market m{sign_up("seller"), sign_up("buyer"), {}};
    m.ticket = list_ticket(m.seller);
    advance(Duration{0});
    return m;
  }
  std::string place_order(std::string const& buyer, std::string const& ticket) {
    auto const r = call("POST", "/api/orders", {{"ticketId", ticket}}, buyer);
    REQUIRE(r.status == 201);
    return std::string(r.json.at("id").as_string());
  }
  std::string status_of(std::string const& path, std::string const& session = {}) {
    auto const r = call("GET", path, nullptr, session);
    REQUIRE(r.status == 200);
    return std::string(r.json.at("status").as_string());
  }

  // Moves the clock and lets the saga fire what is due; returns once it has
  // nothing left due (it keeps the timers still in the future).
  void advance(Duration d) {
    clock.advance(d);
    saga.wake();
    REQUIRE(eventually([&] {
      saga.wake();
      return projector.applied() == log->end_offsets() && saga.applied() == log->end_offsets() &&
             saga.due_timers() == 0;
    }));
  }

  ApiStackOptions options;
  TempDir dir;
  ManualClock clock{from_millis(1'800'000'000'000)};
  std::unique_ptr<RocksDbLog> log = opened_or_fail(
      RocksDbLog::open({.path = (dir.path() / "log").string(), .partitions = 4, .env = options.log_env}));
  GatedLog event_log{*log};  // what the API reads the log through
  GatedLog writes{*log};     // what the marketplace commits through
  CommandRunner runner{writes};
  Marketplace market{runner};
  std::unique_ptr<views::ViewStore> read_models =
      opened_or_fail(views::ViewStore::open((dir.path() / "views").string(), log->partition_count()));
  views::Projector projector{*log, *read_models};
  std::unique_ptr<SandboxGateway> gateway = opened_or_fail(SandboxGateway::open((dir.path() / "gateway").string()));
  Payments payments{market, *gateway};
  std::unique_ptr<TimerStore> timers =
      opened_or_fail(TimerStore::open((dir.path() / "saga").string(), log->partition_count()));
  OrderSaga saga{*log, market, payments, clock, *timers};
  api::TokenSigner tokens{"test-key-0123456789abcdef0123456789abcdef"};
  api::PasswordHasher passwords{*api::PasswordCost::named("minimum"), 2, 8};
  api::AuthLimits limits{1'000'000};
  std::unique_ptr<ExpiringStore> replies = opened_or_fail(
      ExpiringStore::open((dir.path() / "api").string(), "replies", api::kIdempotencyWindow, options.replies_env));
  api::IdempotencyStore idempotency{*replies};
  api::Metrics metrics;
  api::Logger logger;
  api::Services services;
  api::Api api{services};

 private:
  int requests_{0};
};

}  // namespace ticketing::testing
