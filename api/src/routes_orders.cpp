// POST /api/orders, GET /api/orders, GET and DELETE /api/orders/:id.

#include "call.hpp"
#include "domain/ids.hpp"

namespace ticketing::api {

namespace {

std::variant<HttpResponse, PreparedCommand> prepare_order(Call& call) {
  std::vector<Error> errors;
  auto const ticket_id = call.body.string("ticketId");
  if (!ticket_id || ticket_id->empty()) {
    errors.push_back(make_error(ErrorCode::invalid_input, "TicketId must be provided", "ticketId"));
  }
  std::optional<Money> seen_price;
  if (auto price = price_member(call.body, "Price must be greater than 0")) {
    if (*price) {
      seen_price = **price;
    } else {
      errors.push_back(price->error());
    }
  }
  if (!errors.empty()) return validation_response(errors);
  if (!is_generated_id(*ticket_id)) return error_response(ErrorCode::not_found);
  return Marketplace::prepare_order(
      order::PlaceOrder{*ticket_id, call.user->user_id, seen_price, call.services.config.reservation_ttl},
      call.command("order"));
}

HttpResponse order_placed(Call&, CommandOutcome const& outcome) {
  // The order as its commit created it: a retried request gets the same answer.
  for (auto const& e : outcome.events) {
    if (auto const* created = std::get_if<OrderCreated>(&e)) {
      return json_response(201, views::render_order(views::row_of(*created)));
    }
  }
  return error_response(make_error(ErrorCode::internal, "placing an order decided no order"));
}

std::variant<HttpResponse, PreparedCommand> prepare_cancel(Call& call) {
  std::string const& id = call.params.front();
  auto prepared = Marketplace::prepare(id, order::CancelOrder{id, call.user->user_id}, call.command("cancel"));
  if (!prepared) return error_response(prepared.error());
  return std::move(*prepared);
}

HttpResponse order_cancelled(Call&, CommandOutcome const&) {
  HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace

CommandRoute const kPlaceOrder{.prepare = prepare_order, .respond = order_placed};
CommandRoute const kCancelOrder{.prepare = prepare_cancel, .respond = order_cancelled};

HttpResponse create_order(Call& call) { return run_command(call, kPlaceOrder); }

HttpResponse list_orders(Call& call) {
  std::string body = "[";
  bool first = true;
  for (auto const& row : call.services.views.orders_of_buyer(call.user->user_id)) {
    if (!first) body += ',';
    first = false;
    body += views::render_order(row);
  }
  body += ']';
  return json_response(200, std::move(body));
}

HttpResponse show_order(Call& call) {
  std::string const& id = call.params.front();
  if (!ticket_id_of_order(id)) return error_response(ErrorCode::not_found);
  auto row = call.services.views.order(id);
  if (!row) return error_response(ErrorCode::not_found);
  if (row->buyer_id != call.user->user_id) return error_response(ErrorCode::forbidden);
  return json_response(200, views::render_order(*row));
}

HttpResponse cancel_order(Call& call) { return run_command(call, kCancelOrder); }

}  // namespace ticketing::api
