#include <doctest/doctest.h>

#include "spec.hpp"

using namespace ticketing;
using namespace ticketing::spec;

namespace {
std::string const kOrder = order_id_for(kTicket, 1);
std::string const kCharge = charge_id_for(kOrder, 1);
order::PlaceOrder place_by(std::string const& buyer, std::optional<Money> seen = std::nullopt) {
  return order::PlaceOrder{kTicket, buyer, seen, 15min};
}
Result<Events> when(Events const& history, order::Command const& command, Instant now) {
  return order::decide(context_given(history), command, now);
}
}  // namespace

TEST_CASE("placing an order reserves the ticket in the same decision, with a price snapshot") {
  auto const decided = order::place(ticket_given({listed()}), place_by(kBuyer), at(10));
  then_events(decided, {"OrderCreated", "TicketReserved"});
  auto const& created = std::get<OrderCreated>(decided->front());
  CHECK(created.order_id == kOrder);
  CHECK(created.price == Money{2000});
  CHECK(created.expires_at == at(10) + 15min);
  CHECK(created.ticket_version == 0);
}

TEST_CASE("one active order per ticket") {
  then_error(order::place(ticket_given(ordered()), place_by("buyer-2"), at(11)), ErrorCode::rejected,
             "Ticket is already reserved");
  Events sold = awaiting_payment();
  sold.emplace_back(ChargeSucceeded{kCharge, kOrder, "ch_1", false, at(30)});
  sold.emplace_back(OrderCompleted{kOrder, kCharge, at(30)});
  sold.emplace_back(TicketSold{kTicket, kOrder, kBuyer, at(30)});
  then_error(order::place(ticket_given(sold), place_by("buyer-2"), at(31)), ErrorCode::rejected,
             "Ticket is already reserved");
}

TEST_CASE("no purchase of one's own ticket, and no order for a missing ticket") {
  then_error(order::place(ticket_given({listed()}), place_by(kSeller), at(10)), ErrorCode::rejected,
             "You cannot buy your own ticket");
  then_error(order::place(ticket_given({}), place_by(kBuyer), at(10)), ErrorCode::not_found, "Not Found");
}

TEST_CASE("an order naming a price that is no longer current is refused with the current price") {
  Events history{listed(), TicketUpdated{kTicket, "Concert", Money{4000}, at(5)}};
  auto const refused = order::place(ticket_given(history), place_by(kBuyer, Money{2000}), at(10));
  then_error(refused, ErrorCode::conflict, "Ticket price has changed");
  CHECK(refused.error().field == "price");
  CHECK(refused.error().current_price_cents == 4000);
  auto const accepted = order::place(ticket_given(history), place_by(kBuyer, Money{4000}), at(10));
  then_events(accepted, {"OrderCreated", "TicketReserved"});
  CHECK(std::get<OrderCreated>(accepted->front()).price == Money{4000});
}

TEST_CASE("the next order of a released ticket gets the next order id") {
  Events history = ordered();
  history.emplace_back(OrderCancelled{kOrder, "buyer", at(20)});
  history.emplace_back(TicketReleased{kTicket, kOrder, at(20)});
  auto const decided = order::place(ticket_given(history), place_by("buyer-2"), at(30));
  REQUIRE(decided.has_value());
  CHECK(std::get<OrderCreated>(decided->front()).order_id == order_id_for(kTicket, 2));
}

TEST_CASE("only the buyer cancels, only a created order cancels, and cancelling twice changes nothing") {
  then_events(when(ordered(), order::CancelOrder{kOrder, kBuyer}, at(20)), {"OrderCancelled", "TicketReleased"});
  then_error(when(ordered(), order::CancelOrder{kOrder, "someone"}, at(20)), ErrorCode::forbidden, "Not authorized");
  then_error(when({listed()}, order::CancelOrder{kOrder, kBuyer}, at(20)), ErrorCode::not_found, "Not Found");
  Events cancelled = ordered();
  cancelled.emplace_back(OrderCancelled{kOrder, "buyer", at(20)});
  cancelled.emplace_back(TicketReleased{kTicket, kOrder, at(20)});
  then_events(when(cancelled, order::CancelOrder{kOrder, kBuyer}, at(21)), {});
  then_error(when(awaiting_payment(), order::CancelOrder{kOrder, kBuyer}, at(21)), ErrorCode::rejected,
             "Cannot cancel an order while its payment is in progress");
}

TEST_CASE("a completed order cannot be cancelled") {
  Events paid = awaiting_payment();
  paid.emplace_back(ChargeSucceeded{kCharge, kOrder, "ch_1", false, at(30)});
  paid.emplace_back(OrderCompleted{kOrder, kCharge, at(30)});
  paid.emplace_back(TicketSold{kTicket, kOrder, kBuyer, at(30)});
  then_error(when(paid, order::CancelOrder{kOrder, kBuyer}, at(40)), ErrorCode::rejected,
             "Cannot cancel a completed order");
}

TEST_CASE("only a created order expires, and only once its time has come") {
  then_error(when(ordered(), order::ExpireOrder{kOrder}, at(10) + 14min), ErrorCode::rejected,
             "Order has not expired yet");
  then_events(when(ordered(), order::ExpireOrder{kOrder}, at(10) + 15min), {"OrderExpired", "TicketReleased"});
  // While a charge has no outcome the order waits for it, and says so (the
  // saga asks again): it neither expires nor is forgotten.
  then_error(when(awaiting_payment(), order::ExpireOrder{kOrder}, at(10) + 16min), ErrorCode::rejected,
             "Order's payment is in progress");
  Events cancelled = ordered();
  cancelled.emplace_back(OrderCancelled{kOrder, "buyer", at(20)});
  cancelled.emplace_back(TicketReleased{kTicket, kOrder, at(20)});
  then_events(when(cancelled, order::ExpireOrder{kOrder}, at(10) + 16min), {});
}

TEST_CASE("an expiry for an order that no longer holds the ticket never releases the newer hold") {
  // Order 1 was cancelled, order 2 holds the ticket; order 1's deadline fires.
  Events history = ordered();
  std::string const second = order_id_for(kTicket, 2);
  history.emplace_back(OrderCancelled{kOrder, "buyer", at(20)});
  history.emplace_back(TicketReleased{kTicket, kOrder, at(20)});
  history.emplace_back(TicketReserved{kTicket, second, "buyer-2", at(30)});
  then_events(when(history, order::ExpireOrder{kOrder}, at(10) + 15min), {});
  // An order still `created` whose ticket is held by another order expires alone.
  auto ctx = context_given(ordered());
  ctx.ticket.order_id = second;
  then_events(order::decide(ctx, order::ExpireOrder{kOrder}, at(10) + 15min), {"OrderExpired"});
}

TEST_CASE("payment starts only for the buyer's created, unexpired order") {
  auto const started = when(ordered(), order::StartPayment{kOrder, kBuyer}, at(20));
  then_events(started, {"OrderAwaitingPayment", "ChargeCreated"});
  auto const& charge = std::get<ChargeCreated>(started->back());
  CHECK(charge.charge_id == kCharge);
  CHECK(charge.amount == Money{2000});
  CHECK(charge.idempotency_key == kCharge);
  then_error(when(ordered(), order::StartPayment{kOrder, "someone"}, at(20)), ErrorCode::forbidden, "Not authorized");
  then_error(when(ordered(), order::StartPayment{kOrder, kBuyer}, at(10) + 15min), ErrorCode::rejected,
             "Order has expired");
  Events cancelled = ordered();
  cancelled.emplace_back(OrderCancelled{kOrder, "buyer", at(20)});
  then_error(when(cancelled, order::StartPayment{kOrder, kBuyer}, at(21)), ErrorCode::rejected,
             "Cannot pay for a cancelled order");
  then_error(when(awaiting_payment(), order::StartPayment{kOrder, kBuyer}, at(21)), ErrorCode::rejected,
             "A payment for this order is already in progress");
}

TEST_CASE("a successful charge completes the order and sells the ticket") {
  auto const decided = when(awaiting_payment(), order::RecordChargeSucceeded{kCharge, "ch_1"}, at(30));
  then_events(decided, {"ChargeSucceeded", "OrderCompleted", "TicketSold"});
  CHECK_FALSE(std::get<ChargeSucceeded>(decided->front()).refund_required);
}

TEST_CASE("a second successful charge for one order is impossible") {
  Events paid = awaiting_payment();
  paid.emplace_back(ChargeSucceeded{kCharge, kOrder, "ch_1", false, at(30)});
  paid.emplace_back(OrderCompleted{kOrder, kCharge, at(30)});
  paid.emplace_back(TicketSold{kTicket, kOrder, kBuyer, at(30)});
  // The same charge reported again: nothing.
  then_events(when(paid, order::RecordChargeSucceeded{kCharge, "ch_1"}, at(31)), {});
  // A new payment on the paid order is refused.
  then_error(when(paid, order::StartPayment{kOrder, kBuyer}, at(31)), ErrorCode::rejected, "Order is already paid");
}

TEST_CASE("a successful charge for an order that is no longer payable decides a refund") {
  // The payment was retryably failed, the order then expired, and the charge
  // turns out to have gone through after all.
  Events history = awaiting_payment();
  history.emplace_back(ChargeFailed{kCharge, kOrder, "gateway unreachable", true, at(25)});
  history.emplace_back(OrderExpired{kOrder, at(10) + 15min});
  history.emplace_back(TicketReleased{kTicket, kOrder, at(10) + 15min});
  auto const decided = when(history, order::RecordChargeSucceeded{kCharge, "ch_late"}, at(10) + 20min);
  then_events(decided, {"ChargeSucceeded"});
  CHECK(std::get<ChargeSucceeded>(decided->front()).refund_required);
  // A pending charge whose order was cancelled in between is refunded too.
  auto ctx = context_given(awaiting_payment());
  ctx.order.status = order::Status::cancelled;
  auto const late = order::decide(ctx, order::RecordChargeSucceeded{kCharge, "ch_late"}, at(10) + 20min);
  then_events(late, {"ChargeSucceeded"});
  CHECK(std::get<ChargeSucceeded>(late->front()).refund_required);
}

TEST_CASE("a declined charge cancels the order and releases the ticket") {
  auto const decided = when(awaiting_payment(), order::RecordChargeFailed{kCharge, "card_declined", false}, at(30));
  then_events(decided, {"ChargeFailed", "OrderCancelled", "TicketReleased"});
  CHECK(std::get<OrderCancelled>(decided->at(1)).reason == "payment_declined");
}

TEST_CASE("a charge that took nothing leaves the order reserved and payable again") {
  Events history = awaiting_payment();
  then_events(when(history, order::RecordChargeFailed{kCharge, "resource_missing", true}, at(30)), {"ChargeFailed"});
  history.emplace_back(ChargeFailed{kCharge, kOrder, "resource_missing", true, at(30)});
  auto const ctx = context_given(history);
  CHECK(order::effective_status(ctx) == order::Status::created);
  CHECK(ctx.ticket.status == ticket::Status::reserved);
  auto const retry = when(history, order::StartPayment{kOrder, kBuyer}, at(40));
  then_events(retry, {"OrderAwaitingPayment", "ChargeCreated"});
  CHECK(std::get<ChargeCreated>(retry->back()).charge_id == charge_id_for(kOrder, 2));
  then_events(when(history, order::CancelOrder{kOrder, kBuyer}, at(40)), {"OrderCancelled", "TicketReleased"});
}

TEST_CASE("a refund is recorded once, for a succeeded charge") {
  auto ctx = context_given(awaiting_payment());
  ctx.charge = charge::evolve(ctx.charge, ChargeSucceeded{kCharge, kOrder, "ch_1", true, at(30)});
  then_events(order::decide(ctx, order::RecordChargeRefunded{kCharge, "re_1"}, at(31)), {"ChargeRefunded"});
  ctx.charge = charge::evolve(ctx.charge, ChargeRefunded{kCharge, kOrder, "re_1", at(31)});
  then_events(order::decide(ctx, order::RecordChargeRefunded{kCharge, "re_1"}, at(32)), {});
}

TEST_CASE("a charge that took nothing, recorded after the deadline, ends the hold in the same decision") {
  auto const decided =
      when(awaiting_payment(), order::RecordChargeFailed{kCharge, "not_charged", true}, at(10) + 16min);
  then_events(decided, {"ChargeFailed", "OrderExpired", "TicketReleased"});
  // A decline after the deadline cancels as before (the reason says why).
  auto const declined =
      when(awaiting_payment(), order::RecordChargeFailed{kCharge, "card_declined", false}, at(10) + 16min);
  then_events(declined, {"ChargeFailed", "OrderCancelled", "TicketReleased"});
}
