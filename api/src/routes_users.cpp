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

HttpResponse invalid_credentials(Call& call) {
  call.services.throttle.record_failure(call.request.remote_address, call.now);
  return error_response(make_error(ErrorCode::invalid_input, "Invalid credentials"));
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

  auto const hash = call.services.passwords.hash(*password);
  if (!hash) return error_response(make_error(ErrorCode::internal, "password hashing failed"));
  std::string const user_id = call.derive_id("user");
  std::string const session_id = random_hex(16);
  auto outcome =
      call.services.marketplace.execute(user::SignUp{user_id, *email, *hash, session_id}, call.command("signup"));
  if (!outcome) return error_response(outcome.error());
  call.await_visible(*outcome);
  return signed_in(call, 201, user_id, email->display(), session_id);
}

HttpResponse sign_in(Call& call) {
  std::vector<Error> errors;
  auto email = Email::parse(call.body.string("email").value_or(""));
  if (!email) errors.push_back(email.error());
  auto const password = call.body.string("password");
  if (!password || password->empty()) {
    errors.push_back(make_error(ErrorCode::invalid_input, "You must supply a password", "password"));
  }
  if (!errors.empty()) return validation_response(errors);

  if (auto wait = call.services.throttle.retry_after(call.request.remote_address, call.now)) {
    Error e = make_error(ErrorCode::resource_exhausted, "Too many failed sign-in attempts, try again later");
    e.retry_after_seconds = *wait;
    return error_response(e);
  }
  auto user = call.services.marketplace.user(*email);
  if (!user) return error_response(user.error());
  if (!user->exists) {
    call.services.passwords.verify_dummy(*password);
    return invalid_credentials(call);
  }
  if (auto const wait = user::lockout_remaining(*user, call.now); wait > Duration::zero()) {
    Error e = make_error(ErrorCode::resource_exhausted, "Too many failed sign-in attempts, try again later");
    e.retry_after_seconds = (wait.count() + 999) / 1000;
    return error_response(e);
  }
  bool const ok = call.services.passwords.verify(user->password_hash, *password);
  std::string const session_id = random_hex(16);
  auto outcome = call.services.marketplace.execute(user::SignIn{*email, session_id, ok}, call.command("signin"));
  if (!outcome) return error_response(outcome.error());
  call.await_visible(*outcome);
  if (!ok) return invalid_credentials(call);
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
