#pragma once
// A fresh server on a fresh data directory per test, and the steps most API
// tests share (test-only).

#include <string>

#include <doctest/doctest.h>

#include "server_process.hpp"
#include "temp_dir.hpp"

namespace ticketing::testing {

namespace json = boost::json;

struct ApiFixture {
  TempDir dir;
  ServerProcess server;

  explicit ApiFixture(std::vector<std::string> args = {}, std::vector<std::pair<std::string, std::string>> env = {})
      : server((dir.path() / "data").string(), std::move(args), std::move(env)) {}

  // A signed-in client for a new user.
  HttpClient user(std::string const& name) {
    HttpClient c = server.client();
    sign_up(c, name + "@example.com");
    return c;
  }

  // Lists a ticket as `seller`; returns its JSON.
  static json::object list_ticket(HttpClient& seller, std::string const& title = "Concert", double price = 20) {
    auto r = seller.post("/api/tickets", {{"title", title}, {"price", price}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.json().as_object();
  }

  static json::object place_order(HttpClient& buyer, std::string const& ticket_id) {
    auto r = buyer.post("/api/orders", {{"ticketId", ticket_id}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.json().as_object();
  }
};

inline std::string str(json::value const& v) { return std::string(v.as_string()); }

// A ticket `seller` listed and `buyer` holds (an order in `created`).
struct Held {
  std::string ticket, order;
};
inline Held hold(HttpClient& seller, HttpClient& buyer, double price = 20) {
  std::string const ticket = str(ApiFixture::list_ticket(seller, "Show", price).at("id"));
  return {ticket, str(ApiFixture::place_order(buyer, ticket).at("id"))};
}

// POST /api/payments, with an Idempotency-Key when `key` is given.
inline HttpResult pay(HttpClient& buyer, std::string const& order, std::string const& token,
                      std::string const& key = {}) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  return buyer.post("/api/payments", {{"token", token}, {"orderId", order}}, headers);
}

}  // namespace ticketing::testing
