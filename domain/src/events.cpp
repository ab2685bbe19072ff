#include "domain/events.hpp"

#include "domain/ids.hpp"
#include "domain/overloaded.hpp"

namespace ticketing {

std::string_view type_name(Event const& e) noexcept {
  return std::visit([](auto const& ev) { return std::decay_t<decltype(ev)>::kType; }, e);
}

std::string stream_of(Event const& e) {
  return std::visit(
      [](auto const& ev) -> std::string {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_constructible_v<UserEvent, T>) {
          return user_stream(ev.email);
        } else if constexpr (std::is_constructible_v<TicketEvent, T>) {
          return ticket_stream(ev.ticket_id);
        } else if constexpr (std::is_constructible_v<OrderEvent, T>) {
          return order_stream(ev.order_id);
        } else {
          return charge_stream(ev.charge_id);
        }
      },
      e);
}

}  // namespace ticketing
