#include "domain/user.hpp"

#include <algorithm>

#include "domain/overloaded.hpp"

namespace ticketing::user {

State initial_state() { return State{}; }

namespace {

// Sessions opened more than kMaxSessionLifetime before `now` have expired.
// Looked for at most once a day of events: each look walks every session.
void forget_expired_sessions(State& state, Instant now) {
  if (now - state.sessions_checked_at < std::chrono::hours(24)) return;
  state.sessions_checked_at = now;
  std::erase_if(state.open_sessions, [&](auto const& session) { return session.second + kMaxSessionLifetime < now; });
}

}  // namespace

State evolve(State state, UserEvent const& event) {
  std::visit([&](auto const& e) { forget_expired_sessions(state, e.at); }, event);
  std::visit(overloaded{
                 [&](UserCreated const& e) {
                   state.exists = true;
                   state.user_id = e.user_id;
                   state.email = e.email;
                   state.display_email = e.display_email;
                   state.password_hash = e.password_hash;
                   state.open_sessions.emplace(e.session_id, e.at);
                 },
                 [&](UserSignedIn const& e) {
                   state.recent_failures.clear();
                   state.open_sessions.emplace(e.session_id, e.at);
                 },
                 [&](UserSignInFailed const& e) {
                   state.recent_failures.push_back(e.at);
                   while (state.recent_failures.size() > kMaxSignInFailures) state.recent_failures.pop_front();
                 },
                 [&](UserSignedOut const& e) { state.open_sessions.erase(e.session_id); },
             },
             event);
  ++state.version;
  return state;
}

Duration lockout_remaining(State const& state, Instant now) {
  if (state.recent_failures.size() < kMaxSignInFailures) return Duration::zero();
  Instant const unlock = state.recent_failures.front() + kSignInFailureWindow;
  return unlock > now ? unlock - now : Duration::zero();
}

std::size_t failures_in_window(State const& state, Instant now) {
  return static_cast<std::size_t>(std::count_if(state.recent_failures.begin(), state.recent_failures.end(),
                                                [&](Instant at) { return at + kSignInFailureWindow > now; }));
}

std::optional<Error> lockout(State const& state, Instant now) {
  auto const wait = lockout_remaining(state, now);
  if (wait <= Duration::zero()) return std::nullopt;
  Error error = make_error(ErrorCode::resource_exhausted, "Too many failed sign-in attempts, try again later");
  error.retry_after_seconds = (std::chrono::duration_cast<std::chrono::milliseconds>(wait).count() + 999) / 1000;
  return error;
}

namespace {

Result<Events> sign_up(State const& state, SignUp const& c, Instant now) {
  if (state.exists) return make_error(ErrorCode::already_exists, "Email in use", "email");
  return Events{UserCreated{c.user_id, c.email.normalized(), c.email.display(), c.password_hash, c.session_id, now}};
}

Result<Events> sign_in(State const& state, SignIn const& c, Instant now) {
  if (!state.exists) return make_error(ErrorCode::invalid_input, "Invalid credentials");
  if (auto locked = lockout(state, now)) return *locked;
  if (!c.password_ok) return Events{UserSignInFailed{state.user_id, state.email, now}};
  return Events{UserSignedIn{state.user_id, state.email, c.session_id, now}};
}

Result<Events> sign_out(State const& state, SignOut const& c, Instant now) {
  if (!state.exists || !state.open_sessions.contains(c.session_id)) return Events{};
  return Events{UserSignedOut{state.user_id, state.email, c.session_id, now}};
}

}  // namespace

Result<Events> decide(State const& state, Command const& command, Instant now) {
  return std::visit(overloaded{
                        [&](SignUp const& c) { return sign_up(state, c, now); },
                        [&](SignIn const& c) { return sign_in(state, c, now); },
                        [&](SignOut const& c) { return sign_out(state, c, now); },
                    },
                    command);
}

}  // namespace ticketing::user
