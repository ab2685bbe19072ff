#include "api_fixture.hpp"
#include "eventually.hpp"

using namespace ticketing::testing;

TEST_CASE("POST /api/users/signup: 201 with the user and a session cookie") {
  ApiFixture f;
  auto c = f.server.client();
  auto r = c.post("/api/users/signup", {{"email", "Alice@Example.COM"}, {"password", "password123"}});
  REQUIRE(r.status == 201);
  CHECK(str(r.json().at("email")) == "Alice@Example.COM");  // as typed; compared case-insensitively
  CHECK(r.json().at("id").as_string().size() == 24);
  std::string const cookie = r.header("set-cookie");
  CHECK(cookie.starts_with("session="));
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("Path=/") != std::string::npos);
  CHECK(cookie.find("SameSite=Lax") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);
  auto me = c.get("/api/users/currentuser");
  REQUIRE(me.status == 200);
  CHECK(str(me.json().at("currentUser").at("email")) == "Alice@Example.COM");
  CHECK(me.json().at("currentUser").at("iat").is_int64());
}

TEST_CASE("POST /api/users/signup: field errors in field order, and e-mail uniqueness ignores case") {
  ApiFixture f;
  auto c = f.server.client();
  auto both = c.post("/api/users/signup", {{"email", "not-an-email"}, {"password", "short"}});
  REQUIRE(both.status == 400);
  CHECK(both.error_message(0) == "Email must be valid");
  CHECK(both.error_field(0) == "email");
  CHECK(both.error_message(1) == "Password must be between 8 and 128 characters");
  CHECK(both.error_field(1) == "password");
  auto too_long = c.post("/api/users/signup", {{"email", "a@example.com"}, {"password", std::string(129, 'x')}});
  CHECK(too_long.status == 400);
  CHECK(too_long.error_field() == "password");
  CHECK(c.post("/api/users/signup", {{"email", "bob@example.com"}, {"password", "password123"}}).status == 201);
  auto again = f.server.client().post("/api/users/signup", {{"email", "BOB@example.com"}, {"password", "password456"}});
  CHECK(again.status == 400);
  CHECK(again.error_message() == "Email in use");
  CHECK(again.error_field() == "email");
  // Beyond ASCII: one account for "Élodie" and "élodie"; the typed form is shown.
  auto elodie = f.server.client();
  auto first = elodie.post("/api/users/signup", {{"email", "\u00C9lodie@example.fr"}, {"password", "password123"}});
  REQUIRE(first.status == 201);
  CHECK(str(first.json().at("email")) == "\u00C9lodie@example.fr");
  auto twin =
      f.server.client().post("/api/users/signup", {{"email", "\u00E9lodie@example.fr"}, {"password", "password456"}});
  CHECK(twin.error_message() == "Email in use");
  auto in =
      f.server.client().post("/api/users/signin", {{"email", "E\u0301LODIE@example.fr"}, {"password", "password123"}});
  CHECK(in.status == 200);
  CHECK(str(in.json().at("email")) == "\u00C9lodie@example.fr");
}

TEST_CASE("POST /api/users/signin: the same answer for an unknown e-mail and a wrong password") {
  ApiFixture f;
  auto c = f.server.client();
  sign_up(c, "carol@example.com", "password123");
  auto fresh = f.server.client();
  auto ok = fresh.post("/api/users/signin", {{"email", "CAROL@example.com"}, {"password", "password123"}});
  REQUIRE(ok.status == 200);
  CHECK(str(ok.json().at("email")) == "carol@example.com");
  CHECK_FALSE(fresh.session.empty());
  auto wrong = f.server.client().post("/api/users/signin", {{"email", "carol@example.com"}, {"password", "nope-nope"}});
  auto unknown = f.server.client().post("/api/users/signin", {{"email", "nobody@example.com"}, {"password", "x"}});
  CHECK(wrong.status == 400);
  CHECK(unknown.status == 400);
  CHECK(wrong.body == unknown.body);
  CHECK(wrong.error_message() == "Invalid credentials");
  auto invalid = f.server.client().post("/api/users/signin", {{"email", "nope"}, {"password", ""}});
  REQUIRE(invalid.status == 400);
  CHECK(invalid.error_message(0) == "Email must be valid");
  CHECK(invalid.error_message(1) == "You must supply a password");
}

TEST_CASE("sign-in: the 11th attempt after 10 failures is throttled with Retry-After, even with the right password") {
  ApiFixture f;
  auto c = f.server.client();
  sign_up(c, "dave@example.com", "password123");
  for (int i = 0; i < 10; ++i) {
    auto r = f.server.client().post("/api/users/signin", {{"email", "dave@example.com"}, {"password", "wrong-one"}});
    REQUIRE(r.status == 400);
  }
  auto throttled =
      f.server.client().post("/api/users/signin", {{"email", "dave@example.com"}, {"password", "password123"}});
  CHECK(throttled.status == 429);
  CHECK(std::stoi(throttled.header("retry-after")) > 0);
}

TEST_CASE("sign-in: failures from one address are throttled across accounts") {
  ApiFixture f;
  for (int i = 0; i < 50; ++i) {
    auto r = f.server.client().post("/api/users/signin",
                                    {{"email", "ghost" + std::to_string(i) + "@example.com"}, {"password", "x"}});
    REQUIRE(r.status == 400);
  }
  auto r = f.server.client().post("/api/users/signin", {{"email", "ghost99@example.com"}, {"password", "x"}});
  CHECK(r.status == 429);
  CHECK_FALSE(r.header("retry-after").empty());
}

TEST_CASE("POST /api/users/signout clears the cookie and revokes the session on the server") {
  ApiFixture f;
  auto c = f.server.client();
  sign_up(c, "erin@example.com");
  std::string const token = c.session;
  auto r = c.post("/api/users/signout", json::object{});
  REQUIRE(r.status == 200);
  CHECK(r.body == "{}");
  CHECK(r.header("set-cookie") == "session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly");
  // The old token, replayed, is anonymous now.
  auto replay = f.server.client();
  replay.session = token;
  CHECK(replay.get("/api/users/currentuser").body == R"({"currentUser":null})");
  CHECK(replay.post("/api/tickets", {{"title", "x"}, {"price", 5}}).status == 401);
  // Signing out without a session is fine too.
  CHECK(f.server.client().post("/api/users/signout", json::object{}).status == 200);
}

TEST_CASE("GET /api/users/currentuser: null when anonymous, a Bearer token works like the cookie") {
  ApiFixture f;
  auto anon = f.server.client();
  auto r = anon.get("/api/users/currentuser");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"currentUser":null})");
  auto c = f.server.client();
  sign_up(c, "fay@example.com");
  auto bearer = f.server.client();
  auto me = bearer.request("GET", "/api/users/currentuser", {}, {{"Authorization", "Bearer " + c.session}});
  CHECK(str(me.json().at("currentUser").at("email")) == "fay@example.com");
}

TEST_CASE("sign-in: a user with a long history keeps its sessions and lockout across restarts") {
  // 60 sign-ins and 5 failures: the user's stream passes 64 events, so the
  // server keeps a snapshot of it with some of the failures, and after a
  // restart folds the snapshot and the events after it.
  ApiFixture f;
  auto c = f.server.client();
  sign_up(c, "frank@example.com", "password123");
  std::vector<std::string> sessions;
  for (int i = 0; i < 60; ++i) {
    auto in = f.server.client();
    REQUIRE(in.post("/api/users/signin", {{"email", "frank@example.com"}, {"password", "password123"}}).status == 200);
    sessions.push_back(in.session);
  }
  auto const fail = [&] {
    return f.server.client()
        .post("/api/users/signin", {{"email", "frank@example.com"}, {"password", "wrong-one"}})
        .status;
  };
  for (int i = 0; i < 5; ++i) REQUIRE(fail() == 400);
  CHECK(
      eventually([&] { return c.get("/metrics").body.find("\nticketing_snapshots_stored 0\n") == std::string::npos; }));
  // A clean stop: failures are recorded after their answer, so a kill could
  // take the last one with it.
  REQUIRE(f.server.terminate() == 0);
  f.server.restart();

  // The first sign-in's session is still open, and signing out ends it.
  auto early = f.server.client();
  early.session = sessions.front();
  REQUIRE(early.get("/api/users/currentuser").json().at("currentUser").is_object());
  REQUIRE(early.post("/api/users/signout", json::object{}).status == 200);
  auto const signed_in = [&](std::string const& session) {
    auto client = f.server.client();
    client.session = session;
    return client.get("/api/users/currentuser").body != R"({"currentUser":null})";
  };
  CHECK(!signed_in(sessions.front()));
  CHECK(signed_in(sessions.back()));
  // Five failures before the restart and five after make ten: locked out.
  for (int i = 0; i < 5; ++i) REQUIRE(fail() == 400);
  auto const right_password = [&] {
    return f.server.client()
        .post("/api/users/signin", {{"email", "frank@example.com"}, {"password", "password123"}})
        .status;
  };
  CHECK(right_password() == 429);

  // A crash: what was answered stays (the sign-out too).
  f.server.kill9();
  f.server.restart();
  CHECK(!signed_in(sessions.front()));
  CHECK(signed_in(sessions[30]));
  CHECK(signed_in(sessions.back()));
}
