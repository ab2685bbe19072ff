#pragma once
// The Order aggregate and the payment decisions. An order holds its ticket
// from creation until it is cancelled, expires, or is paid. Decisions that
// touch several streams of one ticket's partition take an OrderContext and
// return the events of all of them, committed atomically.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "domain/charge.hpp"
#include "domain/events.hpp"
#include "domain/result.hpp"
#include "domain/ticket.hpp"

namespace ticketing::order {

enum class Status : std::uint8_t { created, awaiting_payment, cancelled, complete };
// The wire names: created, awaiting:payment, cancelled, complete.
[[nodiscard]] char const* to_string(Status s) noexcept;

struct State {
  bool exists{false};
  std::string order_id, ticket_id, buyer_id, title;
  Money price;
  std::int64_t ticket_version{0};
  Instant created_at, expires_at;
  Status status{Status::created};
  bool expired{false};
  std::string charge_id;  // the latest payment attempt
  std::uint32_t payment_attempts{0};
  std::int64_t version{-1};
  friend bool operator==(State const&, State const&) = default;
};

[[nodiscard]] State initial_state();
[[nodiscard]] State evolve(State state, OrderEvent const& event);

// An order with its ticket and its latest charge (initial if none).
struct OrderContext {
  State order;
  ticket::State ticket;
  charge::State charge;
};

struct PlaceOrder {
  std::string ticket_id, buyer_id;
  std::optional<Money> seen_price;  // the price the buyer saw, if given
  Duration reservation_ttl;
};
struct CancelOrder {
  std::string order_id, user_id;
};
struct ExpireOrder {
  std::string order_id;
};
struct StartPayment {
  std::string order_id, user_id;
};
struct RecordChargeSucceeded {
  std::string charge_id, gateway_id;
};
struct RecordChargeFailed {
  std::string charge_id, reason;
  bool retryable{false};  // nothing was charged: the order may be paid again
};
struct RecordChargeRefunded {
  std::string charge_id, refund_id;
};
using Command = std::variant<CancelOrder, ExpireOrder, StartPayment, RecordChargeSucceeded, RecordChargeFailed,
                             RecordChargeRefunded>;

// PlaceOrder, in the order API.md lists the checks: not_found (no ticket);
// rejected "You cannot buy your own ticket"; rejected "Ticket is already
// reserved" (also sold); conflict "Ticket price has changed" (field price,
// current_price_cents set) when seen_price differs. Else OrderCreated (id
// order_id_for(ticket, n), price snapshot, expiresAt = now + ttl) and
// TicketReserved.
[[nodiscard]] Result<Events> place(ticket::State const& ticket, PlaceOrder const& command, Instant now);

// CancelOrder:  not_found; unauthenticated for another user's order; nothing
//               if already cancelled; rejected for a completed order or one
//               whose payment is in flight; else OrderCancelled + TicketReleased.
// ExpireOrder:  rejected "Order's payment is in progress" while a charge has
//               no outcome (ask again later); nothing unless the order is
//               `created`; rejected "Order has not expired yet" before
//               expiresAt; else OrderExpired, plus TicketReleased only if the
//               order still holds the ticket.
// StartPayment: not_found; unauthenticated; rejected for cancelled ("Cannot pay
//               for a cancelled order"), expired ("Order has expired"), paid
//               ("Order is already paid"), in flight; else OrderAwaitingPayment
//               + ChargeCreated (charge id charge_id_for(order, attempt)).
// RecordChargeSucceeded: ChargeSucceeded; with OrderCompleted + TicketSold if the
//               order awaits exactly this charge, else refund_required = true.
//               Nothing if the charge already succeeded.
// RecordChargeFailed: ChargeFailed; a decline (not retryable) also cancels the
//               order and releases the ticket; a failure that charged nothing
//               (retryable) of the payment the order awaits adds
//               OrderPaymentFailed (the order is `created` again: it may be
//               paid or cancelled), or expires it (with the ticket released)
//               when expiresAt has passed. Nothing unless
//               the charge is pending. An outcome that is unknown is never
//               recorded as a failure: the charge stays pending until the
//               gateway tells what happened.
// RecordChargeRefunded: ChargeRefunded for a succeeded charge; else nothing.
//
// Logs written before OrderPaymentFailed existed recorded a failure that
// charged nothing on the charge only, so such an order still reads
// `awaiting:payment`. The first command decided on it records the missing
// OrderPaymentFailed before its own events (and decides on the order as it
// then is).
[[nodiscard]] Result<Events> decide(OrderContext const& ctx, Command const& command, Instant now);

}  // namespace ticketing::order
