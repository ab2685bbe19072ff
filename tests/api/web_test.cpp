// The web app's side of the server over real HTTP: the pages and scripts
// compiled into the executable (ETag, 304, Content-Security-Policy), the
// public changes stream (no personal data, from now on, resumable) and the
// seller's own listings. The app itself is tested in Chromium
// (tests/browser, scripts/browser.sh).

#include "api_fixture.hpp"
#include "sse_client.hpp"

using namespace ticketing::testing;
using namespace std::chrono_literals;

TEST_CASE("web: the page and its scripts are served with an ETag and a strict Content-Security-Policy") {
  ApiFixture f;
  auto client = f.server.client();
  auto const page = client.get("/");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-type") == "text/html; charset=utf-8");
  CHECK(page.body.find(R"(<script type="module" src="/web/app.js">)") != std::string::npos);
  std::string const csp = page.header("content-security-policy");
  CHECK(csp.find("script-src 'self';") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(csp.find("stripe") == std::string::npos);
  CHECK(page.body.find(R"(name="stripe-key" content="")") != std::string::npos);

  for (char const* asset : {"/web/app.js", "/web/api.js", "/web/dom.js", "/web/card.js", "/web/style.css"}) {
    auto const r = client.get(asset);
    REQUIRE_MESSAGE(r.status == 200, asset);
    CHECK_FALSE(r.header("etag").empty());
    CHECK(r.header("cache-control") == "no-cache");
    auto const again = client.request("GET", asset, {}, {{"If-None-Match", r.header("etag")}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
  }
  CHECK(client.get("/web/app.js").header("content-type") == "text/javascript; charset=utf-8");
  CHECK(client.get("/web/nothing.js").status == 404);
  CHECK(client.get("/web/index.html").status == 404);  // the page is served at / only
  CHECK(client.get("/web/..%2Fapi.js").status == 404);
}

TEST_CASE("web: with a Stripe publishable key the page names it and the policy allows Stripe's origin") {
  ApiFixture f({}, {{"STRIPE_PUBLISHABLE_KEY", "pk_test_123"}});
  auto const page = f.server.client().get("/");
  REQUIRE(page.status == 200);
  CHECK(page.body.find(R"(name="stripe-key" content="pk_test_123")") != std::string::npos);
  CHECK(page.header("content-security-policy").find("script-src 'self' https://js.stripe.com;") != std::string::npos);
}

TEST_CASE("web: the public changes stream starts now, names no one, and resumes after the last change") {
  std::vector<std::string> args;
  SUBCASE("streams that keep up read one shared window") {}
  SUBCASE("each stream reads the log itself") { args = {"--change-window", "0"}; }
  ApiFixture f(args);
  auto seller = f.user("Seller.Person");
  auto buyer = f.user("buyer");
  std::string const before = str(ApiFixture::list_ticket(seller, "Listed before").at("id"));

  SseClient changes(f.server.port(), "/api/tickets/changes");
  SseClient other(f.server.port(), "/api/tickets/changes");  // a second viewer meanwhile
  REQUIRE(changes.status() == 200);
  REQUIRE(other.status() == 200);
  auto const ready = changes.next(5s);
  REQUIRE(ready);
  CHECK(ready->event == "ready");
  auto const held = hold(seller, buyer, 25);
  REQUIRE(pay(buyer, held.order, "tok_visa").status == 201);
  std::vector<SseMessage> seen;
  while (seen.size() < 3) {
    auto m = changes.next(10s);
    REQUIRE(m);
    seen.push_back(*m);
  }
  REQUIRE(other.next(5s));  // its "ready"
  // Both are counted as open; with the shared window, both read from it
  // (without one, there is no such count).
  std::string const metrics = f.server.client().get("/metrics").body;
  CHECK(metrics.find("\nticketing_event_streams_open 2\n") != std::string::npos);
  if (args.empty()) {
    CHECK(metrics.find("\nticketing_change_streams_alone 0\n") != std::string::npos);
  } else {
    CHECK(metrics.find("ticketing_change_streams_alone") == std::string::npos);
  }
  for (auto const& m : seen) {
    auto const also = other.next(10s);
    REQUIRE(also);
    CHECK(also->data == m.data);
  }
  std::vector<std::string> statuses;
  for (auto const& m : seen) {
    CHECK(m.event == "ticket");
    CHECK(m.data.find("@") == std::string::npos);  // no e-mail
    CHECK(m.data.find("buyer") == std::string::npos);
    auto const change = json::parse(m.data).as_object();
    CHECK(str(change.at("id")) != before);  // nothing from before the stream opened
    CHECK(str(change.at("id")) == held.ticket);
    statuses.push_back(change.contains("status") ? str(change.at("status")) : "");
  }
  CHECK(statuses == std::vector<std::string>{"available", "reserved", "sold"});
  CHECK(json::parse(seen[0].data).at("price") == 25);
  // The hold says when it ends: the order's expiresAt, as the ticket itself.
  auto const order = buyer.get("/api/orders/" + held.order).json();
  CHECK(str(json::parse(seen[1].data).at("heldUntil")) == str(order.at("expiresAt")));
  CHECK_FALSE(json::parse(seen[2].data).as_object().contains("heldUntil"));
  CHECK(str(json::parse(seen[2].data).at("orderId")) == held.order);

  // Reconnecting with the last id it received: only what came after.
  ApiFixture::list_ticket(seller, "Listed after");
  SseClient resumed(f.server.port(), "/api/tickets/changes", {{"Last-Event-ID", seen[1].id}});
  REQUIRE(resumed.status() == 200);
  std::vector<std::string> titles_or_status;
  for (auto m = resumed.next(3s); m; m = resumed.next(1s)) {
    if (m->event != "ticket") continue;
    auto const change = json::parse(m->data).as_object();
    titles_or_status.push_back(change.contains("title") ? str(change.at("title")) : str(change.at("status")));
  }
  CHECK(titles_or_status == std::vector<std::string>{"sold", "Listed after"});
  CHECK(f.server.client().request("GET", "/api/tickets/changes", {}, {{"Last-Event-ID", "x"}}).status == 400);
}

TEST_CASE("web: a seller's own listings, in every state, with when they were listed") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto const held = hold(seller, buyer);
  std::string const free = str(ApiFixture::list_ticket(seller, "Still for sale").at("id"));
  auto const mine = seller.get("/api/tickets/mine");
  REQUIRE(mine.status == 200);
  auto const rows = mine.json().as_array();
  REQUIRE(rows.size() == 2);
  CHECK(str(rows[0].at("id")) == held.ticket);
  CHECK(rows[0].at("status") == "reserved");
  CHECK(str(rows[1].at("id")) == free);
  CHECK(rows[1].at("status") == "available");
  CHECK(str(rows[1].at("listedAt")).ends_with("Z"));
  CHECK(buyer.get("/api/tickets/mine").json().as_array().empty());
  CHECK(f.server.client().get("/api/tickets/mine").status == 401);
}
