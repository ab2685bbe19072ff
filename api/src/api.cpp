#include "api/api.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <utility>

#include <sodium.h>

#include "call.hpp"
#include "domain/text.hpp"

namespace ticketing::api {
namespace {

struct Route {
  std::string_view method;
  std::string_view pattern;  // lower case; ":id" is a parameter
  Handler handler;
  bool has_body = false;                  // POST/PUT: content type and JSON checks apply
  bool needs_user = false;                // 401 when anonymous
  bool read_only = false;                 // answers from the read models only: may run on an I/O thread
  CommandRoute const* command = nullptr;  // commits one command: may be answered without blocking
  bool calls_gateway = false;             // waits on the payment gateway: answered on the payment workers
  bool streams = false;                   // answers with an event stream: counted against the server's bound
};

constexpr std::array<Route, 23> kRoutes{{
    {.method = "POST", .pattern = "/api/users/signup", .handler = sign_up, .has_body = true},
    {.method = "POST", .pattern = "/api/users/signin", .handler = sign_in, .has_body = true},
    {.method = "POST", .pattern = "/api/users/signout", .handler = sign_out, .has_body = true},
    {.method = "GET", .pattern = "/api/users/currentuser", .handler = current_user, .read_only = true},
    {.method = "POST",
     .pattern = "/api/tickets",
     .handler = create_ticket,
     .has_body = true,
     .needs_user = true,
     .command = &kListTicket},
    {.method = "GET", .pattern = "/api/tickets", .handler = list_tickets, .read_only = true},
    // Before /api/tickets/:id, which would take "changes" and "mine" for ids.
    {.method = "GET", .pattern = "/api/tickets/changes", .handler = ticket_changes, .read_only = true, .streams = true},
    {.method = "GET", .pattern = "/api/tickets/mine", .handler = my_tickets, .needs_user = true, .read_only = true},
    {.method = "GET", .pattern = "/api/tickets/:id", .handler = show_ticket, .read_only = true},
    {.method = "PUT",
     .pattern = "/api/tickets/:id",
     .handler = update_ticket,
     .has_body = true,
     .needs_user = true,
     .command = &kUpdateTicket},
    {.method = "POST",
     .pattern = "/api/orders",
     .handler = create_order,
     .has_body = true,
     .needs_user = true,
     .command = &kPlaceOrder},
    {.method = "GET", .pattern = "/api/orders", .handler = list_orders, .needs_user = true, .read_only = true},
    {.method = "GET", .pattern = "/api/orders/:id", .handler = show_order, .needs_user = true, .read_only = true},
    {.method = "DELETE",
     .pattern = "/api/orders/:id",
     .handler = cancel_order,
     .needs_user = true,
     .command = &kCancelOrder},
    {.method = "POST",
     .pattern = "/api/payments",
     .handler = create_payment,
     .has_body = true,
     .needs_user = true,
     .calls_gateway = true},
    {.method = "GET", .pattern = "/healthz", .handler = health, .read_only = true},
    {.method = "GET", .pattern = "/readyz", .handler = readiness, .read_only = true},
    {.method = "GET", .pattern = "/metrics", .handler = metrics, .read_only = true},
    {.method = "GET", .pattern = "/api/openapi.json", .handler = openapi, .read_only = true},
    {.method = "GET", .pattern = "/api/events", .handler = events_feed, .read_only = true, .streams = true},
    {.method = "GET", .pattern = "/api/analytics", .handler = analytics},
    {.method = "GET", .pattern = "/", .handler = web_page, .read_only = true},
    {.method = "GET", .pattern = "/web/:file", .handler = web_asset, .read_only = true},
}};

// Matches `path` against `pattern` segment by segment, case-insensitively
// for literal segments; a trailing slash is ignored.
bool match(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    auto const p_end = std::min(pattern.find('/'), pattern.size());
    auto const s_end = std::min(path.find('/'), path.size());
    std::string_view const p = pattern.substr(0, p_end), s = path.substr(0, s_end);
    if (!p.empty() && p.front() == ':') {
      if (s.empty()) return false;
      params.emplace_back(s);
    } else if (!text::iequals_ascii(p, s)) {
      return false;
    }
    pattern.remove_prefix(p_end);
    path.remove_prefix(s_end);
  }
  return true;
}

// "https://host:port" -> "host:port"
std::string_view origin_host(std::string_view origin) {
  auto const scheme = origin.find("://");
  if (scheme != std::string_view::npos) origin.remove_prefix(scheme + 3);
  return origin.substr(0, origin.find('/'));
}

std::string_view session_token(HttpRequest const& request) {
  std::string_view const auth = request.header("authorization");
  if (auth.size() > 7 && text::iequals_ascii(auth.substr(0, 7), "bearer ")) return auth.substr(7);
  std::string_view cookies = request.header("cookie");
  while (!cookies.empty()) {
    auto const semi = cookies.find(';');
    std::string_view pair = cookies.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with("session=")) return pair.substr(8);
    if (semi == std::string_view::npos) break;
    cookies.remove_prefix(semi + 1);
  }
  return {};
}

// The session a request carries, if valid and not revoked; unavailable when
// revocation cannot be checked (a session is never admitted on a guess).
Result<std::optional<SessionClaims>> authenticate(Services& s, HttpRequest const& request, Instant now) {
  std::string_view const token = session_token(request);
  if (token.empty()) return std::optional<SessionClaims>();
  auto claims = s.tokens.verify(token, now);
  if (!claims) return std::optional<SessionClaims>();
  auto const revoked = s.views.session_revoked(claims->session_id);
  if (!revoked) return revoked.error();
  if (*revoked) return std::optional<SessionClaims>();
  return claims;
}

bool is_json(std::string_view content_type) {
  auto const semi = content_type.find(';');
  std::string_view type = content_type.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return text::iequals_ascii(type, "application/json");
}

// The checks before any route's handler: the origin of a change, the body,
// the session. Fills call.body and call.user; the refusal, if refused.
std::optional<HttpResponse> admit(Services& s, HttpRequest const& request, Route const& route, Call& call,
                                  std::string& user_id) {
  bool const mutating = request.method != "GET";
  if (mutating && !request.header("origin").empty()) {
    std::string_view const host = request.header("host");
    if (origin_host(request.header("origin")) != host) return error_response(ErrorCode::cross_origin);
  }
  if (route.has_body) {
    bool const blank = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!blank && !is_json(request.header("content-type"))) {
      return error_response(ErrorCode::unsupported_media_type);
    }
    auto body = JsonBody::parse(request.body);
    if (!body) return error_response(body.error());
    call.body = std::move(*body);
  }
  auto user = authenticate(s, request, call.now);
  if (!user) return error_response(user.error());
  call.user = std::move(*user);
  if (call.user) user_id = call.user->user_id;
  if (route.needs_user && !call.user) return error_response(ErrorCode::unauthenticated);
  return std::nullopt;
}

HttpResponse run(Services& s, HttpRequest const& request, Route const& route, std::vector<std::string> params,
                 Instant now, std::string& user_id) {
  Call call{request, s, std::move(params), {}, std::nullopt, now, {}, {}};
  if (auto refused = admit(s, request, route, call, user_id)) return std::move(*refused);
  bool const mutating = request.method != "GET";

  std::string_view const key = request.header("idempotency-key");
  if (!mutating || key.empty() || !call.user) return route.handler(call);
  if (key.size() > 255) {
    return validation_response(
        {make_error(ErrorCode::invalid_input, "Idempotency-Key must be at most 255 characters", "Idempotency-Key")});
  }
  std::string const slot = call.user->user_id + '\x1f' + request.method + ' ' + std::string(route.pattern) + '\x1f' +
                           (call.params.empty() ? std::string() : call.params.front()) + '\x1f' + std::string(key);
  call.seed = slot;
  call.idempotency_key = key;
  std::lock_guard lock(s.idempotency.lock(slot));
  if (auto stored = s.idempotency.find(slot, now)) return *stored;
  HttpResponse response = route.handler(call);
  if (response.status < 500) s.idempotency.store(slot, response, now);
  return response;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> route_table() {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(kRoutes.size());
  for (auto const& r : kRoutes) out.emplace_back(r.method, r.pattern);
  return out;
}

Api::Match Api::match(HttpRequest const& request) const {
  Match m;
  for (std::size_t i = 0; i < kRoutes.size(); ++i) {
    if (kRoutes[i].method == request.method && ticketing::api::match(kRoutes[i].pattern, request.path, m.params)) {
      m.route = static_cast<int>(i);
      return m;
    }
  }
  m.params.clear();
  return m;
}

bool Api::answers_inline(Match const& m) const {
  return m.route < 0 || kRoutes[static_cast<std::size_t>(m.route)].read_only;
}

bool Api::calls_gateway(Match const& m) const {
  return m.route >= 0 && kRoutes[static_cast<std::size_t>(m.route)].calls_gateway;
}

bool Api::streams(Match const& m) const { return m.route >= 0 && kRoutes[static_cast<std::size_t>(m.route)].streams; }

HttpResponse Api::refuse(HttpRequest const& request, Match const& m, Error const& why) {
  HttpResponse response = error_response(why);
  record(request, m, response, std::chrono::steady_clock::now(), {});
  return response;
}

HttpResponse Api::handle(HttpRequest const& request, Match const& m) {
  auto const started = std::chrono::steady_clock::now();
  Instant const now = services_.clock.now();
  Route const* route = m.route < 0 ? nullptr : &kRoutes[static_cast<std::size_t>(m.route)];
  HttpResponse response;
  std::string user_id;
  try {
    response = route == nullptr ? error_response(ErrorCode::not_found)
                                : run(services_, request, *route, m.params, now, user_id);
  } catch (std::exception const& e) {
    response = failed(request, e);
  }
  record(request, m, response, started, user_id);
  return response;
}

HttpResponse Api::failed(HttpRequest const& request, std::exception const& e) {
  services_.log.line(
      "error", "request failed", "\"request_id\":\"" + request.request_id + "\",\"error\":" + [&] {
        std::string s;
        append_json_string(s, e.what());
        return s;
      }());
  return error_response(ErrorCode::internal);
}

void Api::record(HttpRequest const& request, Match const& m, HttpResponse& response,
                 std::chrono::steady_clock::time_point started, std::string const& user_id) {
  Route const* route = m.route < 0 ? nullptr : &kRoutes[static_cast<std::size_t>(m.route)];
  response.header("X-Request-Id", request.request_id);
  double const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string_view const route_name = route == nullptr ? std::string_view("unmatched") : route->pattern;
  std::size_t const route_index = route == nullptr ? kRoutes.size() : static_cast<std::size_t>(route - kRoutes.data());
  services_.metrics.observe_request(route_index, route == nullptr ? std::string_view("*") : route->method, route_name,
                                    response.status, seconds);
  if (route == nullptr || (route->pattern != "/metrics" && route->pattern != "/healthz")) {
    JsonWriter fields;
    fields.reserve(256);  // the line's fields fit: one allocation
    fields.begin_object();
    fields.key("request_id").string(request.request_id).key("method").string(request.method);
    fields.key("route").string(route_name).key("status").number(response.status);
    fields.key("latency_us").number(static_cast<std::int64_t>(seconds * 1e6));
    fields.key("remote").string(request.remote_address);
    if (!user_id.empty()) fields.key("user_id").string(user_id);
    fields.end_object();
    std::string inner = fields.take();
    services_.log.line(response.status >= 500 ? "error" : "info", "request",
                       std::string_view(inner).substr(1, inner.size() - 2));
  }
}

bool Api::answers_async(Match const& m, HttpRequest const& request) const {
  // With an Idempotency-Key, the request takes the key's lock and its stored
  // answer: handle() does that.
  return m.route >= 0 && kRoutes[static_cast<std::size_t>(m.route)].command != nullptr &&
         request.header("idempotency-key").empty();
}

// One request answered without blocking, from its command's decision to its
// answer. The answer is given once: by whichever comes first of the commit
// becoming visible and the consistency timeout after it was durable.
struct Api::AsyncCall {
  AsyncCall(Call c, Match m, Later l, Answer a, std::chrono::steady_clock::time_point at)
      : call(std::move(c)), match(std::move(m)), later(std::move(l)), answer(std::move(a)), started(at) {}

  Call call;
  Match match;  // a copy: the caller's may be gone before the answer
  Later later;
  Answer answer;
  std::chrono::steady_clock::time_point started;
  std::string user_id;
  std::atomic<bool> settled{false};

  // The consistency timeout's cancel, kept from the log's thread and taken
  // by whichever of the timeout and the read models answers (dropped if the
  // timeout already answered).
  void keep_timeout(std::function<void()> cancel) {
    std::lock_guard lock(timeout_mutex_);
    if (!settled) cancel_timeout_ = std::move(cancel);
  }
  std::function<void()> take_timeout() {
    std::lock_guard lock(timeout_mutex_);
    return std::exchange(cancel_timeout_, nullptr);
  }

 private:
  std::mutex timeout_mutex_;
  std::function<void()> cancel_timeout_;
};

void Api::handle_async(HttpRequest const& request, Match const& m, Later later, Answer answer) {
  Route const& route = kRoutes[static_cast<std::size_t>(m.route)];
  auto const started = std::chrono::steady_clock::now();
  auto state =
      std::make_shared<AsyncCall>(Call{request, services_, m.params, {}, std::nullopt, services_.clock.now(), {}, {}},
                                  m, std::move(later), std::move(answer), started);
  try {
    if (auto refused = admit(services_, request, route, state->call, state->user_id)) {
      return finish(*state, std::move(*refused));
    }
    auto prepared = route.command->prepare(state->call);
    if (auto* early = std::get_if<HttpResponse>(&prepared)) return finish(*state, std::move(*early));
    auto& command = std::get<PreparedCommand>(prepared);
    // Answered here only without an Idempotency-Key (answers_async), by a
    // call of its own: the command's commit id derives from a seed no other
    // request has, and it is the request's one command. No commit holds it.
    command.context.fresh_commit_id = true;
    services_.marketplace.try_run_async(
        command,
        [this, state, &route](std::optional<Result<CommandOutcome>> outcome) {
          // On this thread, or the log's when the commit is durable, or this
          // request's after it waited for the key's turn.
          if (!outcome) {
            state->settled = true;
            return state->later.post([state] {
              auto const declined = std::move(state->answer);
              declined(std::nullopt);
            });
          }
          if (!*outcome) {
            auto const error = outcome->error();
            return state->later.post([this, state, error] { finish(*state, error_response(error)); });
          }
          auto done = std::make_shared<CommandOutcome const>(std::move(**outcome));
          auto const respond = [this, state, done, &route] {
            state->later.post([this, state, done, &route] {
              try {
                finish(*state, route.command->respond(state->call, *done));
              } catch (std::exception const& e) {
                finish(*state, failed(state->call.request, e));
              }
            });
          };
          if (!done->append) return respond();
          services_.metrics.count_commit();
          // Whichever comes first answers; the other finds it settled. The
          // winner drops the timer, so a waiter the read models never reach
          // holds nothing of the connection.
          auto cancel = state->later.after(services_.config.consistency_timeout, [this, state, respond] {
            if (state->settled.exchange(true)) return;
            (void)state->take_timeout();
            services_.log.line("warn", "read models did not catch up within the consistency timeout",
                               "\"request_id\":\"" + state->call.request.request_id + "\"");
            respond();
          });
          state->keep_timeout(std::move(cancel));
          services_.projector.when_applied(done->append->position, [state, respond] {
            if (state->settled.exchange(true)) return;
            if (auto const cancel_timeout = state->take_timeout()) cancel_timeout();
            respond();
          });
        },
        state->later.post);
  } catch (std::exception const& e) {
    finish(*state, failed(request, e));
  }
}

void Api::finish(AsyncCall& call, HttpResponse response) {
  record(call.call.request, call.match, response, call.started, call.user_id);
  auto const answer = std::move(call.answer);
  answer(std::move(response));
}

// ---- Call ----

namespace {

// A seed no other request has, in this run or any other: a prefix drawn once
// per process, then a count. Ids need to be unique and not guessable from
// outside, which the hash of a secret prefix gives; drawing 16 random bytes
// for every request cost a system call each.
std::string fresh_seed() {
  static std::string const prefix = random_hex(16);
  static std::atomic<std::uint64_t> count{0};
  return prefix + '-' + std::to_string(count.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

std::string Call::derive_id(std::string_view purpose) const {
  if (seed.empty()) seed = fresh_seed();  // on first use: reads never pay for it
  std::string const input = seed + '\x1f' + std::string(purpose);
  unsigned char hash[12];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<unsigned char const*>(input.data()), input.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return {hex, sizeof hash * 2};
}

CommandContext Call::command(std::string_view step) const {
  CommandContext ctx;
  // Deterministic commit ids (from the user, route and Idempotency-Key, and
  // the step: one request may commit several times, e.g. a payment and its
  // outcome) make a retried request's commands duplicates in the log.
  ctx.commit_id = derive_id(step);
  ctx.meta.idempotency_key = idempotency_key;
  ctx.meta.correlation_id = request.request_id;
  ctx.meta.causation_id = request.request_id;
  ctx.meta.user_id = user ? user->user_id : std::string();
  ctx.meta.recorded_at = now;
  return ctx;
}

void Call::await_visible(CommandOutcome const& outcome) const {
  if (!outcome.append) return;
  services.metrics.count_commit();
  await_visible(outcome.append->position);
}

void Call::await_visible(Position position) const {
  if (!services.projector.wait_applied(position, services.config.consistency_timeout)) {
    services.log.line("warn", "read models did not catch up within the consistency timeout",
                      "\"request_id\":\"" + request.request_id + "\"");
  }
}

HttpResponse run_command(Call& call, CommandRoute const& route) {
  auto prepared = route.prepare(call);
  if (auto* early = std::get_if<HttpResponse>(&prepared)) return std::move(*early);
  auto outcome = call.services.marketplace.run(std::get<PreparedCommand>(prepared));
  if (!outcome) return error_response(outcome.error());
  call.await_visible(*outcome);
  return route.respond(call, *outcome);
}

std::optional<Result<Money>> price_member(JsonBody const& body, std::string_view required_message) {
  JsonMember const* m = body.find("price");
  if (m == nullptr) return std::nullopt;
  if (m->type != JsonType::number && m->type != JsonType::string) {
    return Result<Money>(make_error(ErrorCode::invalid_input, std::string(required_message), "price"));
  }
  return parse_price(m->text, required_message);
}

}  // namespace ticketing::api
