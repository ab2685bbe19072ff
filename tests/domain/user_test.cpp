#include <doctest/doctest.h>

#include "spec.hpp"

using namespace ticketing;
using namespace ticketing::spec;

namespace {
Email const kEmail = *Email::parse("alice@example.com");
UserCreated const kCreated{"u1", "alice@example.com", "Alice@example.com", "$argon2id$hash", "s0", at(0)};

Events failures(int n, std::int64_t from_second) {
  Events history{kCreated};
  for (int i = 0; i < n; ++i) history.emplace_back(UserSignInFailed{"u1", "alice@example.com", at(from_second + i)});
  return history;
}
}  // namespace

TEST_CASE("sign-up registers a new e-mail once") {
  then_events(user::decide(user_given({}), user::SignUp{"u1", kEmail, "hash", "s0"}, at(0)),
              {UserCreated{"u1", "alice@example.com", "alice@example.com", "hash", "s0", at(0)}});
  auto const again = user::decide(user_given({kCreated}), user::SignUp{"u2", kEmail, "hash", "s9"}, at(5));
  then_error(again, ErrorCode::already_exists, "Email in use");
  CHECK(again.error().field == "email");
}

TEST_CASE("sign-in records success or failure, unknown e-mail is the same invalid credentials") {
  then_events(user::decide(user_given({kCreated}), user::SignIn{kEmail, "s1", true}, at(1)),
              {UserSignedIn{"u1", "alice@example.com", "s1", at(1)}});
  then_events(user::decide(user_given({kCreated}), user::SignIn{kEmail, "s1", false}, at(1)),
              {UserSignInFailed{"u1", "alice@example.com", at(1)}});
  then_error(user::decide(user_given({}), user::SignIn{kEmail, "s1", true}, at(1)), ErrorCode::invalid_input,
             "Invalid credentials");
}

TEST_CASE("sign-in is refused for 15 minutes after 10 failures, even with the right password") {
  auto const state = user_given(failures(10, 100));
  auto const refused = user::decide(state, user::SignIn{kEmail, "s1", true}, at(200));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == ErrorCode::resource_exhausted);
  CHECK(refused.error().retry_after_seconds == 15 * 60 - 100);
  // Nine failures do not lock.
  then_events(user::decide(user_given(failures(9, 100)), user::SignIn{kEmail, "s1", true}, at(200)),
              {UserSignedIn{"u1", "alice@example.com", "s1", at(200)}});
  // Fifteen minutes after the oldest of the ten, sign-in works again.
  then_events(user::decide(state, user::SignIn{kEmail, "s1", true}, at(100 + 15 * 60)),
              {UserSignedIn{"u1", "alice@example.com", "s1", at(100 + 15 * 60)}});
}

TEST_CASE("a successful sign-in clears earlier failures") {
  Events history = failures(9, 0);
  history.emplace_back(UserSignedIn{"u1", "alice@example.com", "s1", at(20)});
  for (int i = 0; i < 9; ++i) history.emplace_back(UserSignInFailed{"u1", "alice@example.com", at(30 + i)});
  CHECK(user::lockout_remaining(user_given(history), at(60)) == Duration::zero());
}

TEST_CASE("sign-out closes an open session once") {
  Events history{kCreated, UserSignedIn{"u1", "alice@example.com", "s1", at(1)}};
  then_events(user::decide(user_given(history), user::SignOut{kEmail, "s1"}, at(2)),
              {UserSignedOut{"u1", "alice@example.com", "s1", at(2)}});
  history.emplace_back(UserSignedOut{"u1", "alice@example.com", "s1", at(2)});
  then_events(user::decide(user_given(history), user::SignOut{kEmail, "s1"}, at(3)), {});
}

TEST_CASE("a session opened longer ago than the longest session lifetime is forgotten, so sign-out records nothing") {
  auto const day = [](std::int64_t d) { return at(d * 86400); };
  Events history{kCreated, UserSignedIn{"u1", "alice@example.com", "s1", day(1)},
                 UserSignedIn{"u1", "alice@example.com", "s2", day(60)}};
  auto const within = user_given(history);
  CHECK(within.open_sessions.size() == 3);
  // Every session is still within the lifetime of the latest event: each signs out.
  then_events(user::decide(within, user::SignOut{kEmail, "s0"}, day(89)),
              {UserSignedOut{"u1", "alice@example.com", "s0", day(89)}});

  // A sign-in 95 days in: s0 (day 0) and s1 (day 1) have expired, s2 has not.
  history.emplace_back(UserSignedIn{"u1", "alice@example.com", "s3", day(95)});
  auto const later = user_given(history);
  CHECK(later.open_sessions.size() == 2);
  CHECK(later.open_sessions.contains("s2"));
  CHECK(later.open_sessions.contains("s3"));
  then_events(user::decide(later, user::SignOut{kEmail, "s1"}, day(95)), {});
  then_events(user::decide(later, user::SignOut{kEmail, "s2"}, day(95)),
              {UserSignedOut{"u1", "alice@example.com", "s2", day(95)}});
  // Within the window to the millisecond: opened exactly the lifetime before.
  history.emplace_back(UserSignInFailed{"u1", "alice@example.com", day(60) + user::kMaxSessionLifetime});
  CHECK(user_given(history).open_sessions.contains("s2"));
}

TEST_CASE("expired sessions are looked for at most once a day of events, so a fold stays linear") {
  auto const hours = [](std::int64_t h) { return at(h * 3600); };
  Events history{kCreated, UserSignedIn{"u1", "alice@example.com", "s1", hours(89 * 24 + 12)}};
  // s0 (hour 0) expires after hour 90 * 24. The next event, 17 hours after
  // the last look, does not look: s0 is still known.
  history.emplace_back(UserSignInFailed{"u1", "alice@example.com", hours(90 * 24 + 5)});
  CHECK(user_given(history).open_sessions.contains("s0"));
  // A day after the last look, it looks, and forgets s0.
  history.emplace_back(UserSignInFailed{"u1", "alice@example.com", hours(90 * 24 + 12)});
  auto const state = user_given(history);
  CHECK(!state.open_sessions.contains("s0"));
  CHECK(state.open_sessions.contains("s1"));
  CHECK(state.sessions_checked_at == hours(90 * 24 + 12));
}
