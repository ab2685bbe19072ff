#include "api/errors.hpp"

#include "domain/money.hpp"
#include "encoding/json_writer.hpp"

namespace ticketing::api {

int http_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_input: return 400;
    case ErrorCode::rejected: return 400;
    case ErrorCode::not_found: return 404;
    case ErrorCode::conflict: return 409;
    case ErrorCode::unauthenticated: return 401;
    case ErrorCode::forbidden: return 403;
    case ErrorCode::resource_exhausted: return 429;
    case ErrorCode::unavailable: return 503;
    case ErrorCode::internal: return 500;
  }
  return 500;
}

namespace {

void write_error(JsonWriter& w, Error const& e) {
  w.begin_object().key("message").string(e.message);
  if (!e.field.empty()) w.key("field").string(e.field);
  w.end_object();
}

}  // namespace

HttpResponse validation_response(std::vector<Error> const& errors) {
  JsonWriter w;
  w.begin_object().key("errors").begin_array();
  for (auto const& e : errors) write_error(w, e);
  w.end_array().end_object();
  return json_response(400, w.take());
}

HttpResponse error_response(Error const& error) {
  int const status = http_status(error.code);
  if (status == 500) return error_response(500, "Something went wrong");
  if (status == 503) {
    // The cause (storage, the log, overload) is the operator's to read in
    // the logs, never the client's.
    HttpResponse busy = error_response(503, "Service temporarily unavailable, try again shortly");
    busy.header("Retry-After", std::to_string(error.retry_after_seconds.value_or(1)));
    return busy;
  }
  JsonWriter w;
  w.begin_object().key("errors").begin_array();
  write_error(w, error);
  w.end_array();
  if (error.current_price_cents) w.key("currentPrice").raw(format_units(Money{*error.current_price_cents}));
  w.end_object();
  HttpResponse response = json_response(status, w.take());
  if (error.retry_after_seconds) response.header("Retry-After", std::to_string(*error.retry_after_seconds));
  return response;
}

HttpResponse error_response(int status, std::string_view message) {
  JsonWriter w;
  w.begin_object().key("errors").begin_array().begin_object().key("message").string(message).end_object();
  w.end_array().end_object();
  return json_response(status, w.take());
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.header("Content-Type", "application/json; charset=utf-8");
  return r;
}

std::string_view HttpRequest::header(std::string_view name) const {
  for (auto const& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string> HttpRequest::query_param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    auto const amp = q.find('&');
    std::string_view const pair = q.substr(0, amp);
    auto const eq = pair.find('=');
    if (pair.substr(0, eq) == name) return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace ticketing::api
