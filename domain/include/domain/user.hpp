#pragma once
// The User aggregate: sign-up with a unique e-mail, sign-in with lockout,
// sign-out. Password hashing and checking are impure and happen outside; the
// decider is told whether the password matched.

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "domain/email.hpp"
#include "domain/events.hpp"
#include "domain/result.hpp"

namespace ticketing::user {

inline constexpr std::size_t kMaxSignInFailures = 10;
inline constexpr Duration kSignInFailureWindow = std::chrono::minutes(15);
// The longest a session may last (the server's session lifetime is at most
// this). A session opened longer ago than this before a user's latest event
// has expired, whatever the server's setting: the user's state forgets it
// (checked at most once a day of events, so a fold stays linear), so the
// state does not grow with every sign-in of the account's life.
inline constexpr Duration kMaxSessionLifetime = std::chrono::hours(24 * 90);

struct State {
  bool exists{false};
  std::string user_id, email, password_hash;
  std::string display_email;                     // as typed at sign-up
  std::deque<Instant> recent_failures;           // the last kMaxSignInFailures, oldest first
  std::map<std::string, Instant> open_sessions;  // session id -> when it was opened; within kMaxSessionLifetime
  Instant sessions_checked_at;                   // when expired sessions were last dropped (at most daily)
  std::int64_t version{-1};
  friend bool operator==(State const&, State const&) = default;
};

struct SignUp {
  std::string user_id;
  Email email;
  std::string password_hash;
  std::string session_id;
};
struct SignIn {
  Email email;
  std::string session_id;
  bool password_ok{false};
};
struct SignOut {
  Email email;
  std::string session_id;
};
using Command = std::variant<SignUp, SignIn, SignOut>;

[[nodiscard]] State initial_state();
[[nodiscard]] State evolve(State state, UserEvent const& event);

// SignUp:  invalid_input "Email in use" (field email) if the stream exists.
// SignIn:  invalid_input "Invalid credentials" for an unknown e-mail;
//          resource_exhausted (retry_after_seconds set) while locked out;
//          otherwise UserSignedIn, or UserSignInFailed when the password did not
//          match (the caller answers "Invalid credentials" after committing it).
// SignOut: UserSignedOut for an open session; nothing for a closed one (or
//          one the state has forgotten as expired).
[[nodiscard]] Result<Events> decide(State const& state, Command const& command, Instant now);

// Time left until sign-in is allowed again; zero when not locked out. Locked
// out means kMaxSignInFailures failures within kSignInFailureWindow.
[[nodiscard]] Duration lockout_remaining(State const& state, Instant now);
// Recorded failures within kSignInFailureWindow before `now`.
[[nodiscard]] std::size_t failures_in_window(State const& state, Instant now);
// The lockout as an error: resource_exhausted with retry_after_seconds; none
// when not locked out.
[[nodiscard]] std::optional<Error> lockout(State const& state, Instant now);

}  // namespace ticketing::user
