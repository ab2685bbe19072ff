#pragma once
// The Charge aggregate: one payment attempt for an order. Its decisions need
// the order and the ticket too; they live in order.hpp (OrderContext).

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/events.hpp"

namespace ticketing::charge {

enum class Status : std::uint8_t { none, created, succeeded, failed, refunded };

// The failure reason recorded when a charge whose outcome was unknown is not
// in the gateway's records: nothing was charged as far as the gateway could
// tell then. Gateways' search indexes lag, so such a charge is looked for
// again later, and if it turns up it is recorded and refunded.
inline constexpr std::string_view kNotFoundAtGateway = "not_found_at_gateway";

struct State {
  bool exists{false};
  std::string charge_id, order_id, gateway_id, refund_id, failure_reason;
  Money amount;
  Status status{Status::none};
  bool refund_required{false};
  bool retryable{false};  // failed without charging: the order may be paid again
  std::int64_t version{-1};
  friend bool operator==(State const&, State const&) = default;
};

[[nodiscard]] State initial_state();
[[nodiscard]] State evolve(State state, ChargeEvent const& event);

}  // namespace ticketing::charge
