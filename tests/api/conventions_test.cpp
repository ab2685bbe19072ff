#include <fstream>
#include <sys/wait.h>
#include <thread>

#include "api/api.hpp"
#include "api_fixture.hpp"
#include "eventually.hpp"

using namespace ticketing::testing;

TEST_CASE("unknown paths and methods are 404, paths match case-insensitively, a trailing slash is ignored") {
  ApiFixture f;
  auto c = f.server.client();
  auto unknown = c.get("/api/nothing");
  CHECK(unknown.status == 404);
  CHECK(unknown.error_message() == "Not Found");
  CHECK(c.request("PATCH", "/api/tickets").status == 404);
  CHECK(c.get("/API/Tickets/").status == 200);
  CHECK(c.get("/api/users/CurrentUser").status == 200);
  CHECK_FALSE(unknown.header("x-request-id").empty());
}

TEST_CASE("request-level checks: 415 wrong content type, 400 malformed JSON, 413 a 2 MiB body") {
  ApiFixture f;
  auto c = f.user("alice");
  auto wrong_type = c.request("POST", "/api/tickets", "title=x&price=5", {{"Content-Type", "text/plain"}});
  CHECK(wrong_type.status == 415);
  auto malformed = c.request("POST", "/api/tickets", "{\"title\":", {{"Content-Type", "application/json"}});
  CHECK(malformed.status == 400);
  CHECK(malformed.error_message() == "Invalid JSON body");
  CHECK(c.request("POST", "/api/tickets", "[1,2]", {{"Content-Type", "application/json"}}).error_message() ==
        "Invalid JSON body");
  CHECK(c.request("POST", "/api/tickets", "{} trailing", {{"Content-Type", "application/json"}}).status == 400);
  auto huge = c.request("POST", "/api/tickets", std::string(2 << 20, 'x'), {{"Content-Type", "application/json"}});
  CHECK(huge.status == 413);
  // The server keeps serving.
  CHECK(f.server.client().get("/healthz").status == 200);
}

TEST_CASE("hostile input: garbage bytes, oversized headers and a slow client close only their own connection") {
  ApiFixture f;
  std::string const garbage = raw_exchange(f.server.port(), std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n", 18));
  CHECK(garbage.starts_with("HTTP/1.1 400"));
  std::string const headers = raw_exchange(
      f.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32 * 1024, 'a') + "\r\n\r\n");
  CHECK(headers.starts_with("HTTP/1.1 431"));
  std::string const half =
      raw_exchange(f.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n", std::chrono::milliseconds(500));
  CHECK(half.empty());  // still waiting for the rest of the headers: no answer yet
  CHECK(f.server.client().get("/healthz").status == 200);
}

TEST_CASE("tampered, expired-looking and alg:none tokens are anonymous") {
  ApiFixture f;
  auto c = f.user("alice");
  std::string const token = c.session;
  auto probe = [&](std::string const& t) {
    auto client = f.server.client();
    client.session = t;
    return client.post("/api/tickets", {{"title", "x"}, {"price", 5}}).status;
  };
  CHECK(probe(token) == 201);
  std::string tampered = token;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  CHECK(probe(tampered) == 401);
  auto const dot1 = token.find('.');
  auto const dot2 = token.find('.', dot1 + 1);
  std::string const payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  CHECK(probe("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + ".") == 401);  // {"alg":"none","typ":"JWT"}
  CHECK(probe("not.a.token") == 401);
  CHECK(probe("") == 401);
}

TEST_CASE("state-changing requests from another origin are refused") {
  ApiFixture f;
  auto c = f.user("alice");
  auto cross = c.post("/api/tickets", {{"title", "x"}, {"price", 5}}, {{"Origin", "https://evil.example"}});
  CHECK(cross.status == 403);
  auto same = c.post("/api/tickets", {{"title", "x"}, {"price", 5}},
                     {{"Origin", "http://127.0.0.1:" + std::to_string(f.server.port())}});
  CHECK(same.status == 201);
}

TEST_CASE("Idempotency-Key: the same key returns the first response and changes nothing") {
  ApiFixture f;
  auto c = f.user("alice");
  auto first = c.post("/api/tickets", {{"title", "Once"}, {"price", 5}}, {{"Idempotency-Key", "k-1"}});
  auto second = c.post("/api/tickets", {{"title", "Once"}, {"price", 5}}, {{"Idempotency-Key", "k-1"}});
  REQUIRE(first.status == 201);
  CHECK(second.status == 201);
  CHECK(second.body == first.body);
  CHECK(f.server.client().get("/api/tickets").json().as_array().size() == 1);
  auto other_key = c.post("/api/tickets", {{"title", "Twice"}, {"price", 5}}, {{"Idempotency-Key", "k-2"}});
  CHECK(other_key.body != first.body);
  // Another user's identical key is theirs alone.
  auto bob = f.user("bob");
  auto bobs = bob.post("/api/tickets", {{"title", "Once"}, {"price", 5}}, {{"Idempotency-Key", "k-1"}});
  CHECK(bobs.body != first.body);
  CHECK(f.server.client().get("/api/tickets").json().as_array().size() == 3);
}

TEST_CASE("service routes: healthz, readyz, metrics, and an OpenAPI document that lists every route") {
  ApiFixture f;
  auto c = f.server.client();
  CHECK(c.get("/healthz").status == 200);
  auto ready = c.get("/readyz");
  CHECK(ready.status == 200);
  CHECK(str(ready.json().at("status")) == "ready");
  c.get("/api/tickets");
  auto metrics = c.get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.header("content-type").starts_with("text/plain"));
  CHECK(metrics.body.find("http_requests_total{method=\"GET\",route=\"/api/tickets\",status=\"200\"}") !=
        std::string::npos);
  CHECK(metrics.body.find(
            "http_request_duration_seconds_count{method=\"GET\",route=\"/api/tickets\",status=\"200\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("ticketing_projection_lag_commits") != std::string::npos);
  CHECK(metrics.body.find("ticketing_pending_timers") != std::string::npos);
  CHECK(metrics.body.find("ticketing_saga_lag_commits") != std::string::npos);
  CHECK(metrics.body.find("\nticketing_snapshots_stored 0\n") != std::string::npos);
  CHECK(metrics.body.find("\nticketing_snapshot_store_failures 0\n") != std::string::npos);
  CHECK(metrics.body.find("\nticketing_payments_in_progress 0\n") != std::string::npos);
  CHECK(metrics.body.find("\nticketing_event_streams_open 0\n") != std::string::npos);
  CHECK(metrics.body.find("\nticketing_change_streams_alone 0\n") != std::string::npos);
  // The saga reads its timers on its own thread after the start; then it says so.
  CHECK(eventually(
      [&] { return c.get("/metrics").body.find("\nticketing_saga_timers_loaded 1\n") != std::string::npos; }));

  auto doc = c.get("/api/openapi.json").json().as_object();
  CHECK(str(doc.at("openapi")).starts_with("3."));
  auto const& paths = doc.at("paths").as_object();
  std::size_t operations = 0;
  for (auto const& [path, item] : paths) operations += item.as_object().size();
  auto const routes = ticketing::api::route_table();
  CHECK(operations == routes.size());
  for (auto const& [method, pattern] : routes) {
    std::string path = pattern;
    for (std::string const param : {"id", "file"}) {
      if (auto p = path.find(":" + param); p != std::string::npos) path.replace(p, param.size() + 1, "{" + param + "}");
    }
    std::string verb = method;
    for (auto& ch : verb) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    INFO(method << " " << pattern);
    REQUIRE(paths.contains(path));
    CHECK(paths.at(path).as_object().contains(verb));
  }
}

TEST_CASE("a client that stops sending is cut off after the read timeout") {
  ApiFixture f({"--read-timeout", "1"});
  auto const started = std::chrono::steady_clock::now();
  std::string const answer =
      raw_exchange(f.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n", std::chrono::milliseconds(5000));
  auto const waited = std::chrono::steady_clock::now() - started;
  CHECK(answer.empty());
  CHECK(waited < std::chrono::milliseconds(4000));  // closed by the server, not by our own deadline
  CHECK(f.server.client().get("/healthz").status == 200);
}

TEST_CASE("invalid configuration stops start-up with a clear message and a non-zero exit") {
  auto run = [](std::string const& args) {
    std::string const command = std::string(TICKETING_BINARY) + " serve " + args + " 2>&1";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
    int const status = ::pclose(pipe);
    return std::pair{WEXITSTATUS(status), out};
  };
  auto [code, out] = run("--reservation-ttl nope");
  CHECK(code == 64);
  CHECK(out.find("--reservation-ttl must be a whole number of seconds") != std::string::npos);
  auto [code2, out2] = run("--listen 127.0.0.1");
  CHECK(code2 == 64);
  CHECK(out2.find("--listen must be HOST:PORT") != std::string::npos);
  auto [code3, out3] = run("--no-such-flag");
  CHECK(code3 == 64);
  CHECK(out3.find("unknown option --no-such-flag") != std::string::npos);
  auto [code4, out4] = run("--payment-gateway stripe");
  CHECK(code4 == 64);
  CHECK(out4.find("STRIPE_KEY") != std::string::npos);
  auto [code5, out5] = run("--help");
  CHECK(code5 == 0);
  CHECK(out5.find("TICKETING_RESERVATION_TTL") != std::string::npos);
  CHECK(out5.find("--change-window") != std::string::npos);
  for (char const* window : {"2000000", "-1", "many"}) {
    auto [code6, out6] = run(std::string("--change-window ") + window);
    CHECK(code6 == 64);
    CHECK_MESSAGE(out6.find("--change-window must be a number of commits from 0 to 1000000") != std::string::npos,
                  out6);
  }
}

TEST_CASE("each request is logged as one JSON line with its request id, route, status, latency and user") {
  ApiFixture f;
  auto c = f.user("alice");
  auto r = c.get("/api/orders");
  REQUIRE(r.status == 200);
  std::string const id = r.header("x-request-id");
  f.server.terminate();  // flushes the log
  std::ifstream in(f.server.data_dir() + ".server.log");
  std::string line, found;
  while (std::getline(in, line)) {
    if (line.find(id) != std::string::npos) found = line;
  }
  REQUIRE_FALSE(found.empty());
  auto const entry = boost::json::parse(found).as_object();
  CHECK(str(entry.at("route")) == "/api/orders");
  CHECK(entry.at("status").as_int64() == 200);
  CHECK(entry.at("latency_us").is_int64());
  CHECK(entry.contains("user_id"));
  CHECK(found.find("password") == std::string::npos);
  CHECK(found.find(c.session) == std::string::npos);
}

TEST_CASE("connections over the cap are refused with 503, and the server keeps serving") {
  ApiFixture f({"--max-connections", "2"});
  auto a = f.server.client();
  auto b = f.server.client();
  REQUIRE(a.get("/healthz").status == 200);  // two keep-alive connections held open
  REQUIRE(b.get("/healthz").status == 200);
  std::string const third = raw_exchange(f.server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(third.starts_with("HTTP/1.1 503"));
  CHECK(a.get("/healthz").status == 200);
}
