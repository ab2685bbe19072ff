#pragma once
// One deterministic sample of every event type (test-only), for codec
// round trips and the golden files in tests/golden/.

#include <vector>

#include "domain/events.hpp"
#include "domain/ids.hpp"

namespace ticketing::samples {

inline Instant t0() { return *parse_iso8601("2026-11-21T10:11:12.345Z"); }

inline Events all_events() {
  std::string const ticket = "5f1e2d3c4b5a69788796a5b4";
  std::string const order = order_id_for(ticket, 1);
  std::string const charge = charge_id_for(order, 1);
  Instant const t = t0();
  Events events{
      UserCreated{"9a8b7c6d5e4f3a2b1c0d9e8f", "alice@example.com", "Alice@Example.com",
                  "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "sess-1", t},
      UserSignedIn{"9a8b7c6d5e4f3a2b1c0d9e8f", "alice@example.com", "sess-2", t},
      UserSignInFailed{"9a8b7c6d5e4f3a2b1c0d9e8f", "alice@example.com", t},
      UserSignedOut{"9a8b7c6d5e4f3a2b1c0d9e8f", "alice@example.com", "sess-2", t},
      TicketCreated{ticket, "9a8b7c6d5e4f3a2b1c0d9e8f", "Arctic \"Monkeys\" \\ Row A\n", Money{2050}, t},
      TicketUpdated{ticket, "Arctic Monkeys, Row B", Money{4000}, Money{2050}, t},
      TicketReserved{ticket, order, "1b2c3d4e5f6a7b8c9d0e1f2a", t},
      TicketReleased{ticket, order, t},
      TicketSold{ticket, order, "1b2c3d4e5f6a7b8c9d0e1f2a", Money{4000}, t},
      OrderCreated{order, ticket, "1b2c3d4e5f6a7b8c9d0e1f2a", "Arctic Monkeys, Row B", Money{4000}, 1, t,
                   t + std::chrono::minutes(15)},
      OrderAwaitingPayment{order, charge, t},
      OrderCompleted{order, charge, Money{4000}, t},
      OrderCancelled{order, "buyer", t},
      OrderExpired{order, t},
      ChargeCreated{charge, order, Money{4000}, "usd", charge, t},
      ChargeSucceeded{charge, order, "ch_3MmlLrLkdIwHu7ix0snN0B15", false, t},
      ChargeFailed{charge, order, "card_declined", false, t},
      ChargeRefunded{charge, order, "re_3MmlLrLkdIwHu7ix0SLuW5RY", t},
      OrderPaymentFailed{order, charge, "invalid_request", t},
  };
  return events;
}

}  // namespace ticketing::samples
