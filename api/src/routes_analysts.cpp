// GET /api/events and GET /api/analytics: the analysts' dashboards, behind
// the admin token (TICKETING_ADMIN_TOKEN).

#include <sodium.h>

#include "analysis/completer.hpp"
#include "analysis/type_filter.hpp"
#include "analytics_cache.hpp"
#include "call.hpp"
#include "domain/text.hpp"
#include "event_feed.hpp"

namespace ticketing::api {
namespace {

// 404 while the routes are off; 401 unless the request carries the admin
// token as a bearer token (compared in constant time).
std::optional<HttpResponse> refuse_unless_admin(Call const& call) {
  std::string const& token = call.services.analysts.admin_token;
  if (token.empty()) return error_response(ErrorCode::not_found);
  std::string_view const auth = call.request.header("authorization");
  std::string_view const given =
      auth.size() > 7 && text::iequals_ascii(auth.substr(0, 7), "bearer ") ? auth.substr(7) : std::string_view();
  if (given.size() != token.size() || sodium_memcmp(given.data(), token.data(), token.size()) != 0) {
    HttpResponse refused = error_response(ErrorCode::unauthenticated);
    refused.header("WWW-Authenticate", "Bearer");
    return refused;
  }
  return std::nullopt;
}

}  // namespace

HttpResponse events_feed(Call& call) {
  if (auto refused = refuse_unless_admin(call)) return std::move(*refused);
  EventLog& log = call.services.event_log;
  // A reconnecting EventSource sends the id of the last event it received;
  // it wins over the `after` of the URL it reconnects to.
  std::string_view const last_event_id = call.request.header("last-event-id");
  std::string const after =
      !last_event_id.empty() ? std::string(last_event_id) : call.request.query_param("after").value_or(std::string());
  auto from = analysis::parse_event_position(after, log.partition_count());
  if (!from) {
    return validation_response({make_error(ErrorCode::invalid_input, "after: " + from.error().message,
                                           last_event_id.empty() ? "after" : "Last-Event-ID")});
  }
  analysis::TypeFilter const types(call.request.query_param("types").value_or(std::string()));
  analysis::Redactor const redactor = call.services.analysts.redactor.value_or(
      analysis::Redactor([](std::string_view) { return std::string(); }, false));
  analysis::Completer const completer(log);
  auto feed = std::make_shared<EventFeed>(
      log, call.services.projector, std::move(*from),
      [types, redactor, completer](Event const& event, analysis::EventPlace const& place,
                                   std::span<Event const>) -> std::optional<FeedMessage> {
        if (!types.matches(type_name(event))) return std::nullopt;
        analysis::EventPlace shown = place;
        shown.stream = redactor.stream(place.stream);
        return FeedMessage{{}, analysis::jsonl_line(redactor.event(completer.event(event, place.version)), shown)};
      });
  HttpResponse response;
  response.header("Content-Type", "text/event-stream; charset=utf-8");
  response.header("Cache-Control", "no-store");
  response.header("X-Accel-Buffering", "no");  // proxies: pass each event on at once
  response.body = "retry: 1000\n\n";           // reconnect after a second
  response.stream = std::move(feed);
  return response;
}

HttpResponse analytics(Call& call) {
  if (auto refused = refuse_unless_admin(call)) return std::move(*refused);
  analysis::FigureOptions options;
  std::vector<Error> errors;
  for (auto const& [name, slot] : {std::pair{"since", &options.since}, std::pair{"until", &options.until}}) {
    auto const text = call.request.query_param(name);
    if (!text) continue;
    *slot = parse_utc_time(*text);
    if (!*slot) {
      errors.push_back(make_error(ErrorCode::invalid_input,
                                  std::string(name) + " must be an ISO-8601 UTC time, e.g. 2026-11-28T14:05:00Z",
                                  name));
    }
  }
  if (auto tz = call.request.query_param("tz"); tz && !tz->empty()) options.time_zone = *tz;
  if (!errors.empty()) return validation_response(errors);
  analysis::Positions const end = call.services.projector.applied();
  auto json = call.services.analysts.analytics->figures_json(call.services.event_log, end, options);
  if (!json) {
    if (json.error().code == ErrorCode::invalid_input) return validation_response({json.error()});
    return error_response(json.error());
  }
  return json_response(200, std::move(*json));
}

}  // namespace ticketing::api
