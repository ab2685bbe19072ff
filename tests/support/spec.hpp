#pragma once
// Given/when/then helpers for decider scenarios (test-only).

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "domain/ids.hpp"
#include "domain/order.hpp"
#include "domain/ticket.hpp"
#include "domain/user.hpp"

namespace ticketing::spec {

using namespace std::chrono_literals;

inline Instant at(std::int64_t seconds) { return Instant{} + std::chrono::seconds(1'800'000'000 + seconds); }

template <class Narrow, class State, class Evolve>
State fold(Events const& history, State state, Evolve evolve) {
  for (auto const& e : history) {
    if (auto n = narrow<Narrow>(e)) state = evolve(std::move(state), *n);
  }
  return state;
}

inline user::State user_given(Events const& history) {
  return fold<UserEvent>(history, user::initial_state(), user::evolve);
}
inline ticket::State ticket_given(Events const& history) {
  return fold<TicketEvent>(history, ticket::initial_state(), ticket::evolve);
}

// The order context after `history`: the ticket's events, the (only) order's
// events, and the events of the order's latest charge.
inline order::OrderContext context_given(Events const& history) {
  order::OrderContext ctx;
  ctx.ticket = ticket_given(history);
  ctx.order = fold<OrderEvent>(history, order::initial_state(), order::evolve);
  Events charge_events;
  for (auto const& e : history) {
    if (auto c = narrow<ChargeEvent>(e)) {
      std::visit(
          [&](auto const& ev) {
            if (ev.charge_id == ctx.order.charge_id) charge_events.push_back(e);
          },
          *c);
    }
  }
  ctx.charge = fold<ChargeEvent>(charge_events, charge::initial_state(), charge::evolve);
  return ctx;
}

// "OrderCreated TicketReserved": for messages.
inline std::string types(Events const& events) {
  std::string out;
  for (auto const& e : events) (out += out.empty() ? "" : " ") += type_name(e);
  return out;
}

// Then: the decision produced exactly these events, every field compared.
inline void then_events(Result<Events> const& decided, Events const& expected) {
  REQUIRE_MESSAGE(decided.has_value(), (decided.has_value() ? "" : decided.error().message));
  INFO("decided: ", types(*decided), "; expected: ", types(expected));
  CHECK(*decided == expected);
}

// Then: the decision failed with this code and message.
inline void then_error(Result<Events> const& decided, ErrorCode code, std::string const& message) {
  REQUIRE_FALSE(decided.has_value());
  CHECK(decided.error().code == code);
  CHECK(decided.error().message == message);
}

inline std::string const kSeller = "seller-1";
inline std::string const kBuyer = "buyer-1";
inline std::string const kTicket = "aaaaaaaaaaaaaaaaaaaaaaaa";

inline TicketCreated listed(std::int64_t cents = 2000) {
  return TicketCreated{kTicket, kSeller, "Concert", Money{cents}, at(0)};
}

// A ticket listed at $20 and ordered by kBuyer at t=10 with a 15-minute hold.
inline Events ordered(std::string const& buyer = kBuyer) {
  std::string const order_id = order_id_for(kTicket, 1);
  return Events{listed(), OrderCreated{order_id, kTicket, buyer, "Concert", Money{2000}, 0, at(10), at(10) + 15min},
                TicketReserved{kTicket, order_id, buyer, at(10)}};
}

inline Events awaiting_payment() {
  Events history = ordered();
  std::string const order_id = order_id_for(kTicket, 1);
  std::string const charge_id = charge_id_for(order_id, 1);
  history.emplace_back(OrderAwaitingPayment{order_id, charge_id, at(20)});
  history.emplace_back(ChargeCreated{charge_id, order_id, Money{2000}, "usd", charge_id, at(20)});
  return history;
}

}  // namespace ticketing::spec
