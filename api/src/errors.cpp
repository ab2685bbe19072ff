#include "api/errors.hpp"

#include "domain/money.hpp"
#include "encoding/json_writer.hpp"
#include "encoding/percent.hpp"

namespace ticketing::api {

HttpError http_error(ErrorCode code) noexcept {
  using enum ErrorCode;
  switch (code) {
    case malformed_request: return {400, "Bad request", false};
    case body_too_large: return {413, "Request body is too large", true};
    case headers_too_large: return {431, "Request headers are too large", true};
    case invalid_input: return {400, "Invalid request", false};
    case not_found: return {404, "Not Found", true};
    case rejected: return {400, "Not allowed now", false};
    case already_exists: return {400, "Already exists", false};  // "Email in use"
    case conflict: return {409, "Changed since it was read", false};
    case unauthenticated:
    case forbidden: return {401, "Not authorized", true};  // another user's ticket or order too: as the old app
    case cross_origin: return {403, "Cross-origin request refused", true};
    case unsupported_media_type: return {415, "Content-Type must be application/json", true};
    case payment_declined: return {402, "Your card was declined.", false};
    case payment_not_charged: return {502, "The payment did not go through and nothing was charged; try again", true};
    case gateway_unavailable:
      return {502, "Payment gateway unavailable; the order stays reserved while the payment is checked", true};
    case no_longer_payable: return {409, "Order is no longer payable; the charge will be refunded", true};
    case resource_exhausted: return {429, "Too many requests, try again later", false};
    // The cause (storage, the log, overload) is the operator's to read in the
    // logs, never the client's.
    case unavailable: return {503, "Service temporarily unavailable, try again shortly", true};
    case internal: return {500, "Something went wrong", true};
  }
  return {500, "Something went wrong", true};
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
  HttpError const http = http_error(error.code);
  bool const own_words = !http.fixed && !error.message.empty();
  JsonWriter w;
  w.begin_object().key("errors").begin_array().begin_object();
  w.key("message").string(own_words ? std::string_view(error.message) : http.message);
  if (own_words && !error.field.empty()) w.key("field").string(error.field);
  w.end_object().end_array();
  if (error.current_price_cents) w.key("currentPrice").raw(format_units(Money{*error.current_price_cents}));
  w.end_object();
  HttpResponse response = json_response(http.status, w.take());
  if (error.retry_after_seconds || http.status == 503) {
    response.header("Retry-After", std::to_string(error.retry_after_seconds.value_or(1)));
  }
  return response;
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
    if (pair.substr(0, eq) == name) return percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace ticketing::api
