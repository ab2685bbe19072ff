#pragma once
// Internal: one request in flight, as route handlers see it.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/api.hpp"
#include "api/errors.hpp"
#include "api/json_body.hpp"
#include "encoding/json_writer.hpp"

namespace ticketing::api {

struct Call {
  HttpRequest const& request;
  Services& services;
  std::vector<std::string> params;  // path parameters, in order
  JsonBody body;
  std::optional<SessionClaims> user;
  Instant now;
  // Unique per request and unguessable, or derived from the user's Idempotency-Key: every id
  // the request creates (commit ids, a new ticket's id) derives from it, so a
  // retried request decides the very same commands and the log applies them once.
  mutable std::string seed;
  std::string idempotency_key;

  // An id for `purpose`: 24 lowercase hex digits derived from the seed.
  [[nodiscard]] std::string derive_id(std::string_view purpose) const;
  // A command's context for step `step` of this request.
  [[nodiscard]] CommandContext command(std::string_view step) const;
  // Waits until the read models show the commit (read-your-writes).
  void await_visible(CommandOutcome const& outcome) const;
  void await_visible(Position position) const;
};

using Handler = HttpResponse (*)(Call&);

// A route that commits one command. `prepare` checks the request and makes
// its command, or answers at once; `respond` answers once the command's
// commit is visible in the read models (or nothing was committed). Both run
// on the thread answering the request; the command runs blocking on a worker
// (run_command) or without blocking (Api::handle_async).
struct CommandRoute {
  std::variant<HttpResponse, PreparedCommand> (*prepare)(Call&);
  HttpResponse (*respond)(Call&, CommandOutcome const&);
};
[[nodiscard]] HttpResponse run_command(Call& call, CommandRoute const& route);

extern CommandRoute const kListTicket;
extern CommandRoute const kUpdateTicket;
extern CommandRoute const kPlaceOrder;
extern CommandRoute const kCancelOrder;

// Route handlers (routes_*.cpp).
HttpResponse sign_up(Call&);
HttpResponse sign_in(Call&);
HttpResponse sign_out(Call&);
HttpResponse current_user(Call&);
HttpResponse create_ticket(Call&);
HttpResponse list_tickets(Call&);
HttpResponse show_ticket(Call&);
HttpResponse update_ticket(Call&);
HttpResponse create_order(Call&);
HttpResponse list_orders(Call&);
HttpResponse show_order(Call&);
HttpResponse cancel_order(Call&);
HttpResponse create_payment(Call&);
HttpResponse health(Call&);
HttpResponse readiness(Call&);
HttpResponse metrics(Call&);
HttpResponse openapi(Call&);
HttpResponse events_feed(Call&);
HttpResponse ticket_changes(Call&);
HttpResponse my_tickets(Call&);
HttpResponse web_page(Call&);
HttpResponse web_asset(Call&);
HttpResponse analytics(Call&);

// Parses a price member (JSON number or numeric string); nullopt if absent.
[[nodiscard]] std::optional<Result<Money>> price_member(JsonBody const& body, std::string_view required_message);

}  // namespace ticketing::api
