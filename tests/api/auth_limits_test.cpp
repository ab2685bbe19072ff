// Sign-up and sign-in limits under concurrency, the password hashing queue,
// and commands that race only with each other, over real HTTP.

#include <atomic>
#include <future>
#include <map>
#include <mutex>

#include "api_fixture.hpp"

using namespace ticketing::testing;

namespace {

// Runs `n` requests at once (one connection each) and counts their statuses.
template <class F>
std::map<int, int> concurrently(int n, F request) {
  std::vector<std::future<int>> running;
  for (int i = 0; i < n; ++i) running.push_back(std::async(std::launch::async, request, i));
  std::map<int, int> statuses;
  for (auto& r : running) ++statuses[r.get()];
  return statuses;
}

std::string show(std::map<int, int> const& statuses) {
  std::string s;
  for (auto const& [status, n] : statuses) s += std::to_string(status) + "x" + std::to_string(n) + " ";
  return s;
}

}  // namespace

TEST_CASE("40 concurrent wrong passwords on one account: at most 10 are checked, and none answers 409") {
  ApiFixture f;
  auto c = f.server.client();
  sign_up(c, "erin@example.com", "password123");
  auto const statuses = concurrently(40, [&](int) {
    return f.server.client()
        .post("/api/users/signin", {{"email", "erin@example.com"}, {"password", "wrong-one"}})
        .status;
  });
  MESSAGE(show(statuses));
  CHECK(statuses.contains(400));
  CHECK(statuses.at(400) <= 10);  // each 400 is a password that was checked
  CHECK(statuses.at(400) + (statuses.contains(429) ? statuses.at(429) : 0) == 40);
  // Locked now, whatever the password.
  auto right =
      f.server.client().post("/api/users/signin", {{"email", "erin@example.com"}, {"password", "password123"}});
  CHECK(right.status == 429);
  CHECK_FALSE(right.header("retry-after").empty());
}

TEST_CASE("a correct password sent beside wrong ones is answered 200 or 429, never 409") {
  ApiFixture f;
  auto c = f.server.client();
  sign_up(c, "fred@example.com", "password123");
  std::atomic<int> right_status{0};
  auto const statuses = concurrently(16, [&](int i) {
    std::string const password = i == 7 ? "password123" : "wrong-one";
    int const status =
        f.server.client().post("/api/users/signin", {{"email", "fred@example.com"}, {"password", password}}).status;
    if (i == 7) right_status = status;
    return status;
  });
  MESSAGE(show(statuses));
  CHECK((right_status == 200 || right_status == 429));
  CHECK_FALSE(statuses.contains(409));
}

TEST_CASE("120 concurrent sign-ins from one address check at most 50 passwords") {
  ApiFixture f;
  std::atomic<int> without_retry_after{0};
  auto const statuses = concurrently(120, [&](int i) {
    auto r = f.server.client().post("/api/users/signin",
                                    {{"email", "nobody" + std::to_string(i) + "@example.com"}, {"password", "x"}});
    if ((r.status == 429 || r.status == 503) && r.header("retry-after").empty()) ++without_retry_after;
    return r.status;
  });
  MESSAGE(show(statuses));
  // 400: checked (at most the address's 50); 429: over the address's limit;
  // 503: the hashing queue was full (2 running, 8 waiting).
  CHECK(statuses.at(400) <= 50);
  std::size_t answered = 0;
  for (auto const& [status, n] : statuses) {
    CHECK_MESSAGE((status == 400 || status == 429 || status == 503), status);
    answered += static_cast<std::size_t>(n);
  }
  CHECK(answered == 120);
  CHECK(without_retry_after == 0);
}

TEST_CASE("sign-ups are limited per address, with Retry-After") {
  ApiFixture f({"--signups-per-address", "3"});
  for (int i = 0; i < 3; ++i) {
    CHECK(f.server.client()
              .post("/api/users/signup",
                    {{"email", "u" + std::to_string(i) + "@example.com"}, {"password", "password123"}})
              .status == 201);
  }
  auto fourth = f.server.client().post("/api/users/signup", {{"email", "u9@example.com"}, {"password", "password123"}});
  CHECK(fourth.status == 429);
  CHECK(std::stoi(fourth.header("retry-after")) > 0);
}

TEST_CASE("a burst of sign-ups fills the hashing queue: the rest get 503 with Retry-After, other writes go on") {
  ApiFixture f({"--password-cost", "interactive", "--signups-per-address", "1000"});
  auto seller = f.user("seller");
  std::atomic<int> tickets_ok{0};
  auto listing = std::async(std::launch::async, [&] {
    HttpClient s = f.server.client();
    s.session = seller.session;
    for (int i = 0; i < 20; ++i) tickets_ok += s.post("/api/tickets", {{"title", "Show"}, {"price", 10}}).status == 201;
  });
  std::mutex mutex;
  std::vector<std::string> retry_after;
  auto const statuses = concurrently(40, [&](int i) {
    auto r = f.server.client().post(
        "/api/users/signup", {{"email", "burst" + std::to_string(i) + "@example.com"}, {"password", "password123"}});
    if (r.status == 503) {
      std::lock_guard lock(mutex);
      retry_after.push_back(r.header("retry-after"));
    }
    return r.status;
  });
  listing.get();
  MESSAGE(show(statuses));
  CHECK(statuses.contains(503));
  CHECK(statuses.at(201) + statuses.at(503) == 40);
  for (auto const& r : retry_after) CHECK(r == "1");
  CHECK(tickets_ok == 20);
}

TEST_CASE("30 concurrent price changes by the seller without a version all succeed: contention is not a conflict") {
  ApiFixture f;
  auto seller = f.user("seller");
  std::string const id = str(ApiFixture::list_ticket(seller).at("id"));
  std::mutex mutex;
  std::vector<std::string> bodies;
  auto const statuses = concurrently(30, [&](int i) {
    HttpClient c = f.server.client();
    c.session = seller.session;
    auto r = c.put("/api/tickets/" + id, {{"title", "Show"}, {"price", 10 + i}});
    std::lock_guard lock(mutex);
    bodies.push_back(r.body);
    return r.status;
  });
  MESSAGE(show(statuses));
  CHECK(statuses.at(200) == 30);
  for (auto const& b : bodies) CHECK_MESSAGE(b.find("expected version") == std::string::npos, b);
  CHECK(f.server.client().get("/api/tickets/" + id).json().at("version").as_int64() == 30);
}

TEST_CASE("a successful sign-in clears the account's failures for the limit too") {
  ApiFixture f;
  auto c = f.server.client();
  sign_up(c, "gina@example.com", "password123");
  auto attempt = [&](std::string const& password) {
    return f.server.client().post("/api/users/signin", {{"email", "gina@example.com"}, {"password", password}}).status;
  };
  for (int i = 0; i < 9; ++i) REQUIRE(attempt("wrong-one") == 400);
  CHECK(attempt("password123") == 200);
  for (int i = 0; i < 9; ++i) CHECK(attempt("wrong-one") == 400);  // nine more allowed, not one
}
