// POST /api/users/signup, /signin, /signout; GET /api/users/currentuser.

#include "call.hpp"
#include "domain/email.hpp"
#include "domain/text.hpp"

namespace ticketing::api {
namespace {

std::string session_cookie(Call const& call, std::string const& token) {
  auto const max_age = std::chrono::duration_cast<std::chrono::seconds>(call.services.config.session_ttl).count();
  std::string cookie = "session=" + token + "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax";
  if (call.services.config.secure_cookies) cookie += "; Secure";
  return cookie;
}

// {id, email} with a fresh session cookie.
HttpResponse signed_in(Call const& call, int status, std::string const& user_id, std::string const& email,
                       std::string const& session_id) {
  auto const iat = std::chrono::duration_cast<std::chrono::seconds>(call.now.time_since_epoch()).count();
  auto const ttl = std::chrono::duration_cast<std::chrono::seconds>(call.services.config.session_ttl).count();
  std::string const token = call.services.tokens.sign(SessionClaims{user_id, email, session_id, iat, iat + ttl});
  JsonWriter w;
  w.begin_object().key("id").string(user_id).key("email").string(email).end_object();
  HttpResponse r = json_response(status, w.take());
  r.header("Set-Cookie", session_cookie(call, token));
  return r;
}

Error too_many(std::int64_t wait_seconds, std::string message) {
  Error e = make_error(ErrorCode::resource_exhausted, std::move(message));
  e.retry_after_seconds = wait_seconds;
  return e;
}

// Records a failed sign-in in the account's stream after the answer, on the
// background queue. Concurrent attempts already see it: it was counted in
// the account's limit before answering.
void record_failure(Call const& call, Email const& email) {
  Services* services = &call.services;
  auto job = [services, email, ctx = call.command("signin")] {
    auto recorded = services->marketplace.execute(user::SignIn{email, random_hex(16), false}, ctx);
    if (!recorded && recorded.error().code != ErrorCode::resource_exhausted) {
      services->log.line("warn", "a failed sign-in could not be recorded", "");
    }
  };
  if (!call.services.limits.recorder.submit(job)) job();  // queue full: record before answering
}

}  // namespace

HttpResponse sign_up(Call& call) {
  std::vector<Error> errors;
  auto const email_text = call.body.string("email");
  auto email = Email::parse(email_text.value_or(""));
  if (!email) errors.push_back(email.error());
  auto const password = call.body.string("password");
  if (!password || text::code_points(*password) < 8 || text::code_points(*password) > 128) {
    errors.push_back(make_error(ErrorCode::invalid_input, "Password must be between 8 and 128 characters", "password"));
  }
  if (!errors.empty()) return validation_response(errors);

  auto& limits = call.services.limits;
  std::string const& address = call.request.remote_address;
  if (auto wait = limits.signups_by_address.reserve(address, call.now)) {
    return error_response(too_many(*wait, "Too many sign-ups from this address, try again later"));
  }
  Reservation signup(limits.signups_by_address, address);
  auto const hash = call.services.passwords.hash(*password);
  if (!hash) return error_response(hash.error());
  signup.count(call.now);
  std::string const user_id = call.derive_id("user");
  std::string const session_id = random_hex(16);
  auto outcome =
      call.services.marketplace.execute(user::SignUp{user_id, *email, *hash, session_id}, call.command("signup"));
  if (!outcome) return error_response(outcome.error());
  call.await_visible(*outcome);
  return signed_in(call, 201, user_id, email->display(), session_id);
}

// Every limit is a reservation taken before the password is checked: per
// client address, then per account (its recorded failures plus the attempts
// in flight). A wrong password and an unknown e-mail take the same path and
// time: a check of the same cost, the same answer, and the failure recorded
// after answering.
HttpResponse sign_in(Call& call) {
  std::vector<Error> errors;
  auto email = Email::parse(call.body.string("email").value_or(""));
  if (!email) errors.push_back(email.error());
  auto const password = call.body.string("password");
  if (!password || password->empty()) {
    errors.push_back(make_error(ErrorCode::invalid_input, "You must supply a password", "password"));
  }
  if (!errors.empty()) return validation_response(errors);

  auto& limits = call.services.limits;
  std::string const& address = call.request.remote_address;
  std::string const too_many_failures = "Too many failed sign-in attempts, try again later";
  if (auto wait = limits.signin_failures_by_address.reserve(address, call.now)) {
    return error_response(too_many(*wait, too_many_failures));
  }
  Reservation by_address(limits.signin_failures_by_address, address);
  auto user = call.services.marketplace.user(*email);
  if (!user) return error_response(user.error());
  if (auto locked = user::lockout(*user, call.now)) return error_response(*locked);
  std::string const& account = email->normalized();
  if (auto wait = limits.signins_by_account.reserve(account, call.now, user::failures_in_window(*user, call.now))) {
    return error_response(too_many(*wait, too_many_failures));
  }
  Reservation by_account(limits.signins_by_account, account);

  auto const ok = user->exists ? call.services.passwords.verify(user->password_hash, *password)
                               : call.services.passwords.verify_dummy(*password);
  if (!ok) return error_response(ok.error());
  if (!*ok) {
    by_address.count(call.now);
    by_account.count(call.now);
    if (user->exists) record_failure(call, *email);
    return error_response(make_error(ErrorCode::invalid_input, "Invalid credentials"));
  }
  // Failures answered before this success are recorded before it, so the
  // success clears them in the log as it does here.
  limits.recorder.flush();
  std::string const session_id = random_hex(16);
  auto outcome = call.services.marketplace.execute(user::SignIn{*email, session_id, true}, call.command("signin"));
  if (!outcome) return error_response(outcome.error());
  limits.signins_by_account.clear(account);  // as the sign-in cleared the account's failures
  call.await_visible(*outcome);
  return signed_in(call, 200, user->user_id, user->display_email, session_id);
}

HttpResponse sign_out(Call& call) {
  if (call.user) {
    if (auto email = Email::parse(call.user->email)) {
      auto outcome =
          call.services.marketplace.execute(user::SignOut{*email, call.user->session_id}, call.command("signout"));
      if (!outcome) return error_response(outcome.error());
      call.await_visible(*outcome);
    }
  }
  HttpResponse r = json_response(200, "{}");
  r.header("Set-Cookie", "session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly");
  return r;
}

HttpResponse current_user(Call& call) {
  if (!call.user) return json_response(200, R"({"currentUser":null})");
  JsonWriter w;
  w.begin_object().key("currentUser").begin_object();
  w.key("id").string(call.user->user_id).key("email").string(call.user->email).key("iat").number(call.user->issued_at);
  w.end_object().end_object();
  return json_response(200, w.take());
}

}  // namespace ticketing::api
