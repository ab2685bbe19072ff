#include "domain/order.hpp"

#include "domain/ids.hpp"
#include "domain/overloaded.hpp"

namespace ticketing::order {

char const* to_string(Status s) noexcept {
  switch (s) {
    case Status::created: return "created";
    case Status::awaiting_payment: return "awaiting:payment";
    case Status::cancelled: return "cancelled";
    case Status::complete: return "complete";
  }
  return "created";
}

State initial_state() { return State{}; }

State evolve(State state, OrderEvent const& event) {
  std::visit(overloaded{
                 [&](OrderCreated const& e) {
                   state.exists = true;
                   state.order_id = e.order_id;
                   state.ticket_id = e.ticket_id;
                   state.buyer_id = e.buyer_id;
                   state.title = e.title;
                   state.price = e.price;
                   state.ticket_version = e.ticket_version;
                   state.created_at = e.at;
                   state.expires_at = e.expires_at;
                   state.status = Status::created;
                 },
                 [&](OrderAwaitingPayment const& e) {
                   state.status = Status::awaiting_payment;
                   state.charge_id = e.charge_id;
                   ++state.payment_attempts;
                 },
                 [&](OrderCompleted const&) { state.status = Status::complete; },
                 [&](OrderCancelled const&) { state.status = Status::cancelled; },
                 [&](OrderExpired const&) {
                   state.status = Status::cancelled;
                   state.expired = true;
                 },
                 [&](OrderPaymentFailed const&) { state.status = Status::created; },
             },
             event);
  ++state.version;
  return state;
}

Result<Events> place(ticket::State const& ticket, PlaceOrder const& c, Instant now) {
  if (!ticket.exists) return make_error(ErrorCode::not_found, "Not Found");
  if (ticket.seller_id == c.buyer_id) return make_error(ErrorCode::rejected, "You cannot buy your own ticket");
  std::string const order_id = order_id_for(ticket.ticket_id, ticket.orders_placed + 1);
  auto reserved = ticket::reserve(ticket, order_id, c.buyer_id, now);
  if (!reserved) return reserved.error();
  if (c.seen_price && *c.seen_price != ticket.price) {
    Error error = make_error(ErrorCode::conflict, "Ticket price has changed", "price");
    error.current_price_cents = ticket.price.cents;
    return error;
  }
  return Events{OrderCreated{order_id, ticket.ticket_id, c.buyer_id, ticket.title, ticket.price, ticket.version, now,
                             now + c.reservation_ttl},
                *reserved};
}

namespace {

Error not_found() { return make_error(ErrorCode::not_found, "Not Found"); }
Error not_authorized() { return make_error(ErrorCode::forbidden, "Not authorized"); }

void append_release(Events& events, OrderContext const& ctx, Instant now) {
  if (auto released = ticket::release(ctx.ticket, ctx.order.order_id, now)) events.emplace_back(*released);
}

Result<Events> cancel(OrderContext const& ctx, CancelOrder const& c, Instant now) {
  if (!ctx.order.exists) return not_found();
  if (ctx.order.buyer_id != c.user_id) return not_authorized();
  switch (ctx.order.status) {
    case Status::cancelled: return Events{};
    case Status::complete: return make_error(ErrorCode::rejected, "Cannot cancel a completed order");
    case Status::awaiting_payment:
      return make_error(ErrorCode::rejected, "Cannot cancel an order while its payment is in progress");
    case Status::created: break;
  }
  Events events{OrderCancelled{ctx.order.order_id, "buyer", now}};
  append_release(events, ctx, now);
  return events;
}

void append_expiry(Events& events, OrderContext const& ctx, Instant now) {
  events.emplace_back(OrderExpired{ctx.order.order_id, now});
  append_release(events, ctx, now);
}

Result<Events> expire(OrderContext const& ctx, Instant now) {
  if (!ctx.order.exists) return not_found();
  Status const status = ctx.order.status;
  // The payment's outcome decides: it completes the order, or its failure
  // expires it (charge_failed). The caller asks again later.
  if (status == Status::awaiting_payment) return make_error(ErrorCode::rejected, "Order's payment is in progress");
  if (status != Status::created) return Events{};
  if (now < ctx.order.expires_at) return make_error(ErrorCode::rejected, "Order has not expired yet");
  Events events;
  append_expiry(events, ctx, now);
  return events;
}

Result<Events> start_payment(OrderContext const& ctx, StartPayment const& c, Instant now) {
  if (!ctx.order.exists) return not_found();
  if (ctx.order.buyer_id != c.user_id) return not_authorized();
  switch (ctx.order.status) {
    case Status::cancelled: return make_error(ErrorCode::rejected, "Cannot pay for a cancelled order");
    case Status::complete: return make_error(ErrorCode::rejected, "Order is already paid");
    case Status::awaiting_payment:
      return make_error(ErrorCode::rejected, "A payment for this order is already in progress");
    case Status::created: break;
  }
  if (now >= ctx.order.expires_at) return make_error(ErrorCode::rejected, "Order has expired");
  std::string const charge_id = charge_id_for(ctx.order.order_id, ctx.order.payment_attempts + 1);
  return Events{OrderAwaitingPayment{ctx.order.order_id, charge_id, now},
                ChargeCreated{charge_id, ctx.order.order_id, ctx.order.price, std::string(kCurrency), charge_id, now}};
}

bool names_charge(OrderContext const& ctx, std::string const& charge_id) {
  return ctx.charge.exists && ctx.charge.charge_id == charge_id;
}

Result<Events> charge_succeeded(OrderContext const& ctx, RecordChargeSucceeded const& c, Instant now) {
  if (!names_charge(ctx, c.charge_id)) return not_found();
  // A retryably failed charge (the gateway did not answer) may turn out to
  // have gone through: money was taken, so it is recorded and refunded.
  bool const pending = ctx.charge.status == charge::Status::created;
  bool const unknown_outcome = ctx.charge.status == charge::Status::failed && ctx.charge.retryable;
  if (!pending && !unknown_outcome) return Events{};
  bool const payable = pending && ctx.order.status == Status::awaiting_payment && ctx.order.charge_id == c.charge_id;
  Events events{ChargeSucceeded{c.charge_id, ctx.charge.order_id, c.gateway_id, !payable, now}};
  if (payable) {
    events.emplace_back(OrderCompleted{ctx.order.order_id, c.charge_id, ctx.order.price, now});
    if (auto sold = ticket::sell(ctx.ticket, ctx.order.order_id, ctx.order.buyer_id, ctx.order.price, now)) {
      events.emplace_back(*sold);
    }
  }
  return events;
}

Result<Events> charge_failed(OrderContext const& ctx, RecordChargeFailed const& c, Instant now) {
  if (!names_charge(ctx, c.charge_id)) return not_found();
  if (ctx.charge.status != charge::Status::created) return Events{};
  Events events{ChargeFailed{c.charge_id, ctx.charge.order_id, c.reason, c.retryable, now}};
  bool const awaiting_this = ctx.order.status == Status::awaiting_payment && ctx.order.charge_id == c.charge_id;
  if (!awaiting_this) return events;
  if (!c.retryable) {
    events.emplace_back(OrderCancelled{ctx.order.order_id, "payment_declined", now});
    append_release(events, ctx, now);
  } else if (now >= ctx.order.expires_at) {
    // Nothing was charged and the hold's time is up: it ends now.
    append_expiry(events, ctx, now);
  } else {
    events.emplace_back(OrderPaymentFailed{ctx.order.order_id, c.charge_id, c.reason, now});
  }
  return events;
}

Result<Events> charge_refunded(OrderContext const& ctx, RecordChargeRefunded const& c, Instant now) {
  if (!names_charge(ctx, c.charge_id)) return not_found();
  if (ctx.charge.status != charge::Status::succeeded) return Events{};
  return Events{ChargeRefunded{c.charge_id, ctx.charge.order_id, c.refund_id, now}};
}

std::optional<OrderPaymentFailed> unrecorded_payment_failure(OrderContext const& ctx, Instant now) {
  bool const failed_without_charge = ctx.charge.exists && ctx.charge.charge_id == ctx.order.charge_id &&
                                     ctx.charge.status == charge::Status::failed && ctx.charge.retryable;
  if (ctx.order.status != Status::awaiting_payment || !failed_without_charge) return std::nullopt;
  return OrderPaymentFailed{ctx.order.order_id, ctx.charge.charge_id, ctx.charge.failure_reason, now};
}

Result<Events> decide_on(OrderContext const& ctx, Command const& command, Instant now) {
  return std::visit(overloaded{
                        [&](CancelOrder const& c) { return cancel(ctx, c, now); },
                        [&](ExpireOrder const&) { return expire(ctx, now); },
                        [&](StartPayment const& c) { return start_payment(ctx, c, now); },
                        [&](RecordChargeSucceeded const& c) { return charge_succeeded(ctx, c, now); },
                        [&](RecordChargeFailed const& c) { return charge_failed(ctx, c, now); },
                        [&](RecordChargeRefunded const& c) { return charge_refunded(ctx, c, now); },
                    },
                    command);
}

}  // namespace

Result<Events> decide(OrderContext const& ctx, Command const& command, Instant now) {
  auto const missing = unrecorded_payment_failure(ctx, now);
  if (!missing) return decide_on(ctx, command, now);
  OrderContext repaired = ctx;
  repaired.order = evolve(ctx.order, *missing);
  auto events = decide_on(repaired, command, now);
  if (events) events->insert(events->begin(), *missing);
  return events;
}

}  // namespace ticketing::order
