// The analysts' routes over real HTTP: GET /api/events (Server-Sent Events:
// resuming exactly with Last-Event-ID, type filters, redaction, new events
// as they commit, a stalled reader dropped, a cap on open streams) and
// GET /api/analytics, both behind TICKETING_ADMIN_TOKEN.

#include <set>
#include <thread>

#include "api_fixture.hpp"
#include "sse_client.hpp"
#include "tool_process.hpp"

using namespace ticketing::testing;
using namespace std::chrono_literals;

namespace {

std::string const kToken = "admin-token-0123456789";
std::vector<std::pair<std::string, std::string>> const kAdminEnv{{"TICKETING_ADMIN_TOKEN", kToken}};
std::vector<std::pair<std::string, std::string>> const kBearer{{"Authorization", "Bearer " + kToken}};

// Every message the feed has now, from `after` (or Last-Event-ID).
std::vector<SseMessage> read_all(ApiFixture& f, std::string const& target,
                                 std::vector<std::pair<std::string, std::string>> headers = kBearer) {
  SseClient feed(f.server.port(), target, headers);
  REQUIRE(feed.status() == 200);
  return feed.drain(700ms);
}

json::object data_of(SseMessage const& m) { return json::parse(m.data).as_object(); }

}  // namespace

TEST_CASE("analysts over HTTP: absent without an admin token, 401 without the right one") {
  {
    ApiFixture off;
    CHECK(off.server.client().get("/api/events").status == 404);
    CHECK(off.server.client().request("GET", "/api/analytics", {}, kBearer).status == 404);
  }
  ApiFixture f({}, kAdminEnv);
  for (auto const& headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {}, {{"Authorization", "Bearer wrong-token-0123456789"}}, {{"Authorization", kToken}}}) {
    for (char const* route : {"/api/events", "/api/analytics"}) {
      auto const r = f.server.client().request("GET", route, {}, headers);
      CHECK(r.status == 401);
      CHECK(r.header("www-authenticate") == "Bearer");
      CHECK_FALSE(r.error_message().empty());
    }
  }
  // A user's session is not the admin token.
  auto user = f.user("someone");
  CHECK(user.get("/api/analytics").status == 401);
}

TEST_CASE("analysts over HTTP: the events feed, redacted, resumes exactly where it stopped") {
  ApiFixture f({}, kAdminEnv);
  auto seller = f.user("Seller.Person");
  auto buyer = f.user("buyer");
  auto const paid = hold(seller, buyer);
  REQUIRE(pay(buyer, paid.order, "tok_visa").status == 201);
  auto const cancelled = hold(seller, buyer);
  REQUIRE(buyer.del("/api/orders/" + cancelled.order).status < 300);

  auto const all = read_all(f, "/api/events");
  REQUIRE(all.size() >= 12);
  std::set<std::string> types;
  bool inside_commit = false;
  for (auto const& m : all) {
    CHECK(m.data.find("@example.com") == std::string::npos);  // addresses are pseudonyms
    CHECK(m.data.find("Seller.Person") == std::string::npos);
    auto const e = data_of(m);
    types.insert(str(e.at("type")));
    if (e.at("type") == "UserCreated") CHECK(e.at("data").at("password_hash") == "");
    for (char const* key : {"type", "schema", "stream", "version", "at", "data", "partition", "offset", "commit_id",
                            "recorded_at", "correlation_id"}) {
      CHECK_MESSAGE(e.contains(key), key);
    }
    inside_commit = inside_commit || m.id.find('.') != std::string::npos;
  }
  CHECK(types.count("OrderCompleted") == 1);
  CHECK(types.count("OrderCancelled") == 1);
  REQUIRE_MESSAGE(inside_commit, "some commit carries several events, so some ids fall inside a commit");

  // Resuming from any message's id yields exactly the messages after it,
  // whether the id falls between commits or inside one.
  for (std::size_t i = 0; i + 1 < all.size(); i += 3) {
    auto const rest = read_all(f, "/api/events", {kBearer[0], {"Last-Event-ID", all[i].id}});
    REQUIRE(rest.size() == all.size() - i - 1);
    for (std::size_t k = 0; k < rest.size(); ++k) {
      CHECK(rest[k].id == all[i + 1 + k].id);
      CHECK(rest[k].data == all[i + 1 + k].data);
    }
  }
  // `after` in the URL does the same; Last-Event-ID wins over it.
  auto const after = read_all(f, "/api/events?after=" + all[4].id);
  CHECK(after.size() == all.size() - 5);
  auto const both = read_all(f, "/api/events?after=" + all[4].id, {kBearer[0], {"Last-Event-ID", all[9].id}});
  CHECK(both.size() == all.size() - 10);
  auto const none = read_all(f, "/api/events", {kBearer[0], {"Last-Event-ID", all.back().id}});
  CHECK(none.empty());
}

TEST_CASE("analysts over HTTP: type filters, new events within the stream, bad positions") {
  ApiFixture f({}, kAdminEnv);
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  ApiFixture::list_ticket(seller, "Before");

  for (auto const& m : read_all(f, "/api/events?types=Ticket*"))
    CHECK(str(data_of(m).at("type")).starts_with("Ticket"));
  auto const two = read_all(f, "/api/events?types=OrderCreated%2CTicketCreated");
  REQUIRE(two.size() == 1);
  CHECK(data_of(two[0]).at("type") == "TicketCreated");

  SseClient live(f.server.port(), "/api/events?types=Order*,TicketSold", kBearer);
  REQUIRE(live.status() == 200);
  CHECK(live.header("content-type").starts_with("text/event-stream"));
  CHECK(live.header("cache-control") == "no-store");
  CHECK_FALSE(live.next(300ms));  // nothing of those types yet
  auto const held = hold(seller, buyer);
  auto const created = live.next(10s);  // committed after the stream opened
  REQUIRE(created);
  CHECK(data_of(*created).at("type") == "OrderCreated");
  CHECK(str(data_of(*created).at("data").at("order_id")) == held.order);

  for (std::string const bad : {"x", "0:1:2", "99:1", "0:1,0:2", "0:1.0", "0:1.1,1:1.1"}) {
    auto const r = f.server.client().request("GET", "/api/events?after=" + bad, {}, kBearer);
    CHECK_MESSAGE(r.status == 400, bad);
    CHECK(r.error_field() == "after");
  }
  auto const header = f.server.client().request("GET", "/api/events", {}, {kBearer[0], {"Last-Event-ID", "nope"}});
  CHECK(header.status == 400);
  CHECK(header.error_field() == "Last-Event-ID");
}

TEST_CASE("analysts over HTTP: a reader that stops reading is dropped while the marketplace keeps serving") {
  ApiFixture f({"--stream-write-timeout", "1", "--max-streams", "2"}, kAdminEnv);
  auto seller = f.user("seller");
  for (int i = 0; i < 600; ++i) ApiFixture::list_ticket(seller, "Backlog ticket " + std::to_string(i));
  std::size_t const total = read_all(f, "/api/events").size();
  REQUIRE(total > 600);

  // A reader with a tiny receive buffer that reads nothing: the server's
  // part and the kernel's buffers fill, the write times out, it is dropped.
  SseClient stalled(f.server.port(), "/api/events", kBearer, 4096);
  REQUIRE(stalled.status() == 200);
  // The cap: one more stream fits, a third is refused while both are open.
  SseClient second(f.server.port(), "/api/events", kBearer);
  REQUIRE(second.status() == 200);
  auto const third = f.server.client().request("GET", "/api/events", {}, kBearer);
  CHECK(third.status == 503);
  CHECK_FALSE(third.header("retry-after").empty());
  // Refused before it was handled: counted and logged as a 503, not a 200.
  CHECK_FALSE(third.header("x-request-id").empty());
  auto const metrics = f.server.client().get("/metrics").body;
  CHECK(metrics.find(R"(http_requests_total{method="GET",route="/api/events",status="503"} 1)") != std::string::npos);
  CHECK(f.server.client().get("/api/tickets").status == 200);  // meanwhile
  std::this_thread::sleep_for(3s);                             // past the write timeout
  auto const got = stalled.drain(2s);
  CHECK(stalled.closed());
  CHECK(got.size() < total);
  CHECK(f.server.client().get("/api/tickets").status == 200);
}

TEST_CASE("analysts over HTTP: GET /api/analytics equals the figures over the log") {
  ApiFixture f({}, kAdminEnv);
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto const first = hold(seller, buyer, 20);
  REQUIRE(pay(buyer, first.order, "tok_visa").status == 201);
  auto const second = hold(seller, buyer, 35.5);
  REQUIRE(pay(buyer, second.order, "tok_visa").status == 201);
  auto const declined = hold(seller, buyer, 10);
  CHECK(pay(buyer, declined.order, "tok_chargeDeclined").status == 402);

  auto const r = f.server.client().request("GET", "/api/analytics?tz=Europe%2FParis", {}, kBearer);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto const figures = r.json().as_object();
  CHECK(figures.at("tickets_listed") == 3);
  CHECK(figures.at("sales") == 2);
  CHECK(figures.at("revenue_cents") == 5550);
  CHECK(figures.at("holds").at("declined") == 1);
  CHECK(figures.at("tz") == "Europe/Paris");
  auto const cli = run_tool({"analytics", "--data", f.server.data_dir(), "--format", "json", "--tz", "Europe/Paris"});
  REQUIRE_MESSAGE(cli.status == 0, cli.err);
  CHECK(json::parse(cli.out) == r.json());

  auto const later = f.server.client().request("GET", "/api/analytics?since=2099-01-01", {}, kBearer);
  REQUIRE(later.status == 200);
  CHECK(later.json().at("sales") == 0);
  auto const zone = f.server.client().request("GET", "/api/analytics?tz=Mars%2FOlympus", {}, kBearer);
  CHECK(zone.status == 400);
  CHECK(zone.error_field() == "tz");
  auto const since = f.server.client().request("GET", "/api/analytics?since=yesterday", {}, kBearer);
  CHECK(since.status == 400);
  CHECK(since.error_field() == "since");
}
