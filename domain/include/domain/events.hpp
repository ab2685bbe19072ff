#pragma once
// Every event of the product. Plain structs, described with Boost.Describe so
// codecs can walk their members. Field meanings are the facts of
// ARCHITECTURE.md §4. No event holds a password or a token; the password hash
// appears only in UserCreated.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/describe/class.hpp>

#include "domain/money.hpp"
#include "domain/time.hpp"

namespace ticketing {

// ---- User (stream "user-<normalised email>"; every user event names the e-mail) ----
struct UserCreated {
  static constexpr std::string_view kType = "UserCreated";
  std::string user_id;
  std::string email;          // normalised (text::fold): the identity and stream key
  std::string display_email;  // as the user typed it (trimmed), for display
  std::string password_hash, session_id;
  Instant at;
  friend bool operator==(UserCreated const&, UserCreated const&) = default;
};
struct UserSignedIn {
  static constexpr std::string_view kType = "UserSignedIn";
  std::string user_id, email, session_id;
  Instant at;
  friend bool operator==(UserSignedIn const&, UserSignedIn const&) = default;
};
struct UserSignInFailed {
  static constexpr std::string_view kType = "UserSignInFailed";
  std::string user_id, email;
  Instant at;
  friend bool operator==(UserSignInFailed const&, UserSignInFailed const&) = default;
};
struct UserSignedOut {
  static constexpr std::string_view kType = "UserSignedOut";
  std::string user_id, email, session_id;
  Instant at;
  friend bool operator==(UserSignedOut const&, UserSignedOut const&) = default;
};

// ---- Ticket (stream "ticket-<ticketId>") ----
struct TicketCreated {
  static constexpr std::string_view kType = "TicketCreated";
  std::string ticket_id, seller_id, title;
  Money price;
  Instant at;
  friend bool operator==(TicketCreated const&, TicketCreated const&) = default;
};
struct TicketUpdated {
  static constexpr std::string_view kType = "TicketUpdated";
  std::string ticket_id, title;
  Money price;
  Money previous_price;  // the price before this change (0: recorded before schema 2, see analysis::Completer)
  Instant at;
  friend bool operator==(TicketUpdated const&, TicketUpdated const&) = default;
};
struct TicketReserved {
  static constexpr std::string_view kType = "TicketReserved";
  std::string ticket_id, order_id, buyer_id;
  Instant at;
  friend bool operator==(TicketReserved const&, TicketReserved const&) = default;
};
struct TicketReleased {
  static constexpr std::string_view kType = "TicketReleased";
  std::string ticket_id, order_id;
  Instant at;
  friend bool operator==(TicketReleased const&, TicketReleased const&) = default;
};
struct TicketSold {
  static constexpr std::string_view kType = "TicketSold";
  std::string ticket_id, order_id, buyer_id;
  Money amount;  // what the buyer paid (0: recorded before schema 2)
  Instant at;
  friend bool operator==(TicketSold const&, TicketSold const&) = default;
};

// ---- Order (stream "order-<orderId>") ----
struct OrderCreated {
  static constexpr std::string_view kType = "OrderCreated";
  std::string order_id, ticket_id, buyer_id, title;
  Money price;                     // what the buyer pays, fixed now
  std::int64_t ticket_version{0};  // the ticket version the price was taken from
  Instant at, expires_at;
  friend bool operator==(OrderCreated const&, OrderCreated const&) = default;
};
struct OrderAwaitingPayment {
  static constexpr std::string_view kType = "OrderAwaitingPayment";
  std::string order_id, charge_id;
  Instant at;
  friend bool operator==(OrderAwaitingPayment const&, OrderAwaitingPayment const&) = default;
};
struct OrderCompleted {
  static constexpr std::string_view kType = "OrderCompleted";
  std::string order_id, charge_id;
  Money amount;  // what the buyer paid (0: recorded before schema 2)
  Instant at;
  friend bool operator==(OrderCompleted const&, OrderCompleted const&) = default;
};
struct OrderCancelled {
  static constexpr std::string_view kType = "OrderCancelled";
  std::string order_id;
  std::string reason;  // "buyer" | "payment_declined"
  Instant at;
  friend bool operator==(OrderCancelled const&, OrderCancelled const&) = default;
};
struct OrderExpired {
  static constexpr std::string_view kType = "OrderExpired";
  std::string order_id;
  Instant at;
  friend bool operator==(OrderExpired const&, OrderExpired const&) = default;
};
// The payment the order was awaiting failed and nothing was charged (the
// token was refused, or the gateway has no such charge): the order may be
// paid again until it expires.
struct OrderPaymentFailed {
  static constexpr std::string_view kType = "OrderPaymentFailed";
  std::string order_id, charge_id, reason;
  Instant at;
  friend bool operator==(OrderPaymentFailed const&, OrderPaymentFailed const&) = default;
};

// ---- Charge (stream "charge-<chargeId>") ----
struct ChargeCreated {
  static constexpr std::string_view kType = "ChargeCreated";
  std::string charge_id, order_id;
  Money amount;
  std::string currency, idempotency_key;
  Instant at;
  friend bool operator==(ChargeCreated const&, ChargeCreated const&) = default;
};
struct ChargeSucceeded {
  static constexpr std::string_view kType = "ChargeSucceeded";
  std::string charge_id, order_id, gateway_id;
  bool refund_required{false};  // the order was no longer payable: money goes back
  Instant at;
  friend bool operator==(ChargeSucceeded const&, ChargeSucceeded const&) = default;
};
struct ChargeFailed {
  static constexpr std::string_view kType = "ChargeFailed";
  std::string charge_id, order_id, reason;
  bool retryable{false};  // nothing was charged (e.g. token refused); OrderPaymentFailed says what it did to the order
  Instant at;
  friend bool operator==(ChargeFailed const&, ChargeFailed const&) = default;
};
struct ChargeRefunded {
  static constexpr std::string_view kType = "ChargeRefunded";
  std::string charge_id, order_id, refund_id;
  Instant at;
  friend bool operator==(ChargeRefunded const&, ChargeRefunded const&) = default;
};

BOOST_DESCRIBE_STRUCT(UserCreated, (), (user_id, email, display_email, password_hash, session_id, at))
BOOST_DESCRIBE_STRUCT(UserSignedIn, (), (user_id, email, session_id, at))
BOOST_DESCRIBE_STRUCT(UserSignInFailed, (), (user_id, email, at))
BOOST_DESCRIBE_STRUCT(UserSignedOut, (), (user_id, email, session_id, at))
BOOST_DESCRIBE_STRUCT(TicketCreated, (), (ticket_id, seller_id, title, price, at))
BOOST_DESCRIBE_STRUCT(TicketUpdated, (), (ticket_id, title, price, previous_price, at))
BOOST_DESCRIBE_STRUCT(TicketReserved, (), (ticket_id, order_id, buyer_id, at))
BOOST_DESCRIBE_STRUCT(TicketReleased, (), (ticket_id, order_id, at))
BOOST_DESCRIBE_STRUCT(TicketSold, (), (ticket_id, order_id, buyer_id, amount, at))
BOOST_DESCRIBE_STRUCT(OrderCreated, (), (order_id, ticket_id, buyer_id, title, price, ticket_version, at, expires_at))
BOOST_DESCRIBE_STRUCT(OrderAwaitingPayment, (), (order_id, charge_id, at))
BOOST_DESCRIBE_STRUCT(OrderCompleted, (), (order_id, charge_id, amount, at))
BOOST_DESCRIBE_STRUCT(OrderCancelled, (), (order_id, reason, at))
BOOST_DESCRIBE_STRUCT(OrderExpired, (), (order_id, at))
BOOST_DESCRIBE_STRUCT(OrderPaymentFailed, (), (order_id, charge_id, reason, at))
BOOST_DESCRIBE_STRUCT(ChargeCreated, (), (charge_id, order_id, amount, currency, idempotency_key, at))
BOOST_DESCRIBE_STRUCT(ChargeSucceeded, (), (charge_id, order_id, gateway_id, refund_required, at))
BOOST_DESCRIBE_STRUCT(ChargeFailed, (), (charge_id, order_id, reason, retryable, at))
BOOST_DESCRIBE_STRUCT(ChargeRefunded, (), (charge_id, order_id, refund_id, at))

using UserEvent = std::variant<UserCreated, UserSignedIn, UserSignInFailed, UserSignedOut>;
using TicketEvent = std::variant<TicketCreated, TicketUpdated, TicketReserved, TicketReleased, TicketSold>;
using OrderEvent =
    std::variant<OrderCreated, OrderAwaitingPayment, OrderCompleted, OrderCancelled, OrderExpired, OrderPaymentFailed>;
using ChargeEvent = std::variant<ChargeCreated, ChargeSucceeded, ChargeFailed, ChargeRefunded>;

// Any event of the product, as stored in the log.
using Event = std::variant<UserCreated, UserSignedIn, UserSignInFailed, UserSignedOut,  //
                           TicketCreated, TicketUpdated, TicketReserved, TicketReleased, TicketSold, OrderCreated,
                           OrderAwaitingPayment, OrderCompleted, OrderCancelled, OrderExpired, ChargeCreated,
                           ChargeSucceeded, ChargeFailed, ChargeRefunded, OrderPaymentFailed>;

[[nodiscard]] std::string_view type_name(Event const& e) noexcept;
// The stream an event belongs to, derived from its ids.
[[nodiscard]] std::string stream_of(Event const& e);

// Narrows a product event to one aggregate's variant; nullopt if it is another's.
template <class Narrow>
[[nodiscard]] std::optional<Narrow> narrow(Event const& e) {
  return std::visit(
      [](auto const& ev) -> std::optional<Narrow> {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_constructible_v<Narrow, T>) {
          return Narrow{ev};
        } else {
          return std::nullopt;
        }
      },
      e);
}

// Narrows by moving out of `e`.
template <class Narrow>
[[nodiscard]] std::optional<Narrow> narrow(Event&& e) {
  return std::visit(
      [](auto&& ev) -> std::optional<Narrow> {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_constructible_v<Narrow, T>) {
          return Narrow{std::forward<decltype(ev)>(ev)};
        } else {
          return std::nullopt;
        }
      },
      std::move(e));
}

using Events = std::vector<Event>;

}  // namespace ticketing
