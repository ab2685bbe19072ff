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
  then_events(order::place(ticket_given({listed()}), place_by(kBuyer), at(10)),
              {OrderCreated{kOrder, kTicket, kBuyer, "Concert", Money{2000}, 0, at(10), at(10) + 15min},
               TicketReserved{kTicket, kOrder, kBuyer, at(10)}});
}

TEST_CASE("one active order per ticket") {
  then_error(order::place(ticket_given(ordered()), place_by("buyer-2"), at(11)), ErrorCode::rejected,
             "Ticket is already reserved");
  Events sold = awaiting_payment();
  sold.emplace_back(ChargeSucceeded{kCharge, kOrder, "ch_1", false, at(30)});
  sold.emplace_back(OrderCompleted{kOrder, kCharge, Money{2000}, at(30)});
  sold.emplace_back(TicketSold{kTicket, kOrder, kBuyer, Money{2000}, at(30)});
  then_error(order::place(ticket_given(sold), place_by("buyer-2"), at(31)), ErrorCode::rejected,
             "Ticket is already reserved");
}

TEST_CASE("no purchase of one's own ticket, and no order for a missing ticket") {
  then_error(order::place(ticket_given({listed()}), place_by(kSeller), at(10)), ErrorCode::rejected,
             "You cannot buy your own ticket");
  then_error(order::place(ticket_given({}), place_by(kBuyer), at(10)), ErrorCode::not_found, "Not Found");
}

TEST_CASE("an order naming a price that is no longer current is refused with the current price") {
  Events history{listed(), TicketUpdated{kTicket, "Concert", Money{4000}, Money{2000}, at(5)}};
  auto const refused = order::place(ticket_given(history), place_by(kBuyer, Money{2000}), at(10));
  then_error(refused, ErrorCode::conflict, "Ticket price has changed");
  CHECK(refused.error().field == "price");
  CHECK(refused.error().current_price_cents == 4000);
  then_events(order::place(ticket_given(history), place_by(kBuyer, Money{4000}), at(10)),
              {OrderCreated{kOrder, kTicket, kBuyer, "Concert", Money{4000}, 1, at(10), at(10) + 15min},
               TicketReserved{kTicket, kOrder, kBuyer, at(10)}});
}

TEST_CASE("the next order of a released ticket gets the next order id") {
  Events history = ordered();
  history.emplace_back(OrderCancelled{kOrder, "buyer", at(20)});
  history.emplace_back(TicketReleased{kTicket, kOrder, at(20)});
  std::string const second = order_id_for(kTicket, 2);
  then_events(order::place(ticket_given(history), place_by("buyer-2"), at(30)),
              {OrderCreated{second, kTicket, "buyer-2", "Concert", Money{2000}, 2, at(30), at(30) + 15min},
               TicketReserved{kTicket, second, "buyer-2", at(30)}});
}

TEST_CASE("only the buyer cancels, only a created order cancels, and cancelling twice changes nothing") {
  then_events(when(ordered(), order::CancelOrder{kOrder, kBuyer}, at(20)),
              {OrderCancelled{kOrder, "buyer", at(20)}, TicketReleased{kTicket, kOrder, at(20)}});
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
  paid.emplace_back(OrderCompleted{kOrder, kCharge, Money{2000}, at(30)});
  paid.emplace_back(TicketSold{kTicket, kOrder, kBuyer, Money{2000}, at(30)});
  then_error(when(paid, order::CancelOrder{kOrder, kBuyer}, at(40)), ErrorCode::rejected,
             "Cannot cancel a completed order");
}

TEST_CASE("only a created order expires, and only once its time has come") {
  then_error(when(ordered(), order::ExpireOrder{kOrder}, at(10) + 14min), ErrorCode::rejected,
             "Order has not expired yet");
  then_events(when(ordered(), order::ExpireOrder{kOrder}, at(10) + 15min),
              {OrderExpired{kOrder, at(10) + 15min}, TicketReleased{kTicket, kOrder, at(10) + 15min}});
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
  // An order still `created` whose ticket is held by another order expires
  // alone (a history no decider writes; the expiry must not trust it).
  Events held_by_other = ordered();
  held_by_other.emplace_back(TicketReleased{kTicket, kOrder, at(20)});
  held_by_other.emplace_back(TicketReserved{kTicket, second, "buyer-2", at(30)});
  then_events(when(held_by_other, order::ExpireOrder{kOrder}, at(10) + 15min), {OrderExpired{kOrder, at(10) + 15min}});
}

TEST_CASE("payment starts only for the buyer's created, unexpired order") {
  then_events(when(ordered(), order::StartPayment{kOrder, kBuyer}, at(20)),
              {OrderAwaitingPayment{kOrder, kCharge, at(20)},
               ChargeCreated{kCharge, kOrder, Money{2000}, "usd", kCharge, at(20)}});
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
  then_events(
      when(awaiting_payment(), order::RecordChargeSucceeded{kCharge, "ch_1"}, at(30)),
      {ChargeSucceeded{kCharge, kOrder, "ch_1", false, at(30)}, OrderCompleted{kOrder, kCharge, Money{2000}, at(30)},
       TicketSold{kTicket, kOrder, kBuyer, Money{2000}, at(30)}});
}

TEST_CASE("a second successful charge for one order is impossible") {
  Events paid = awaiting_payment();
  paid.emplace_back(ChargeSucceeded{kCharge, kOrder, "ch_1", false, at(30)});
  paid.emplace_back(OrderCompleted{kOrder, kCharge, Money{2000}, at(30)});
  paid.emplace_back(TicketSold{kTicket, kOrder, kBuyer, Money{2000}, at(30)});
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
  then_events(when(history, order::RecordChargeSucceeded{kCharge, "ch_late"}, at(10) + 20min),
              {ChargeSucceeded{kCharge, kOrder, "ch_late", true, at(10) + 20min}});
  // A pending charge whose order ended in between is refunded too.
  Events ended = awaiting_payment();
  ended.emplace_back(OrderExpired{kOrder, at(10) + 15min});
  ended.emplace_back(TicketReleased{kTicket, kOrder, at(10) + 15min});
  then_events(when(ended, order::RecordChargeSucceeded{kCharge, "ch_late"}, at(10) + 20min),
              {ChargeSucceeded{kCharge, kOrder, "ch_late", true, at(10) + 20min}});
}

TEST_CASE("a declined charge cancels the order and releases the ticket") {
  then_events(when(awaiting_payment(), order::RecordChargeFailed{kCharge, "card_declined", false}, at(30)),
              {ChargeFailed{kCharge, kOrder, "card_declined", false, at(30)},
               OrderCancelled{kOrder, "payment_declined", at(30)}, TicketReleased{kTicket, kOrder, at(30)}});
}

TEST_CASE("a charge that took nothing leaves the order reserved and payable again") {
  Events history = awaiting_payment();
  Events const failed{ChargeFailed{kCharge, kOrder, "resource_missing", true, at(30)},
                      OrderPaymentFailed{kOrder, kCharge, "resource_missing", at(30)}};
  then_events(when(history, order::RecordChargeFailed{kCharge, "resource_missing", true}, at(30)), failed);
  history.insert(history.end(), failed.begin(), failed.end());
  auto const ctx = context_given(history);
  CHECK(ctx.order.status == order::Status::created);
  CHECK(ctx.ticket.status == ticket::Status::reserved);
  std::string const second = charge_id_for(kOrder, 2);
  then_events(when(history, order::StartPayment{kOrder, kBuyer}, at(40)),
              {OrderAwaitingPayment{kOrder, second, at(40)},
               ChargeCreated{second, kOrder, Money{2000}, "usd", second, at(40)}});
  then_events(when(history, order::CancelOrder{kOrder, kBuyer}, at(40)),
              {OrderCancelled{kOrder, "buyer", at(40)}, TicketReleased{kTicket, kOrder, at(40)}});
}

TEST_CASE("a log from before OrderPaymentFailed: the next command records it first, then decides") {
  // The failure that charged nothing was recorded on the charge only.
  Events history = awaiting_payment();
  history.emplace_back(ChargeFailed{kCharge, kOrder, "resource_missing", true, at(30)});
  CHECK(context_given(history).order.status == order::Status::awaiting_payment);
  then_events(when(history, order::ExpireOrder{kOrder}, at(10) + 15min),
              {OrderPaymentFailed{kOrder, kCharge, "resource_missing", at(10) + 15min},
               OrderExpired{kOrder, at(10) + 15min}, TicketReleased{kTicket, kOrder, at(10) + 15min}});
  then_events(when(history, order::CancelOrder{kOrder, kBuyer}, at(40)),
              {OrderPaymentFailed{kOrder, kCharge, "resource_missing", at(40)}, OrderCancelled{kOrder, "buyer", at(40)},
               TicketReleased{kTicket, kOrder, at(40)}});
  // A refusal commits nothing, the missing fact included.
  then_error(when(history, order::ExpireOrder{kOrder}, at(40)), ErrorCode::rejected, "Order has not expired yet");
}

TEST_CASE("a refund is recorded once, for a succeeded charge") {
  Events history = awaiting_payment();
  history.emplace_back(OrderExpired{kOrder, at(10) + 15min});
  history.emplace_back(TicketReleased{kTicket, kOrder, at(10) + 15min});
  then_events(when(history, order::RecordChargeRefunded{kCharge, "re_1"}, at(10) + 16min), {});  // nothing succeeded
  history.emplace_back(ChargeSucceeded{kCharge, kOrder, "ch_1", true, at(10) + 16min});
  then_events(when(history, order::RecordChargeRefunded{kCharge, "re_1"}, at(10) + 17min),
              {ChargeRefunded{kCharge, kOrder, "re_1", at(10) + 17min}});
  history.emplace_back(ChargeRefunded{kCharge, kOrder, "re_1", at(10) + 17min});
  then_events(when(history, order::RecordChargeRefunded{kCharge, "re_1"}, at(10) + 18min), {});
}

TEST_CASE("a charge that took nothing, recorded after the deadline, ends the hold in the same decision") {
  Instant const late = at(10) + 16min;
  then_events(when(awaiting_payment(), order::RecordChargeFailed{kCharge, "not_charged", true}, late),
              {ChargeFailed{kCharge, kOrder, "not_charged", true, late}, OrderExpired{kOrder, late},
               TicketReleased{kTicket, kOrder, late}});
  // A decline after the deadline cancels as before (the reason says why).
  then_events(when(awaiting_payment(), order::RecordChargeFailed{kCharge, "card_declined", false}, late),
              {ChargeFailed{kCharge, kOrder, "card_declined", false, late},
               OrderCancelled{kOrder, "payment_declined", late}, TicketReleased{kTicket, kOrder, late}});
}
