#pragma once
// The Ticket aggregate: listed by a seller, edited only by the seller while
// nobody holds it, reserved by one order at a time, sold once.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "domain/events.hpp"
#include "domain/result.hpp"

namespace ticketing::ticket {

inline constexpr std::size_t kMaxTitleLength = 200;

enum class Status : std::uint8_t { available, reserved, sold };
[[nodiscard]] char const* to_string(Status s) noexcept;

struct State {
  bool exists{false};
  std::string ticket_id, seller_id, title;
  Money price;
  Status status{Status::available};
  std::string order_id;            // the order holding it, while reserved or sold
  std::uint32_t orders_placed{0};  // numbers the next order id
  std::int64_t version{-1};        // 0 once listed, +1 per change
  friend bool operator==(State const&, State const&) = default;
};

struct ListTicket {
  std::string ticket_id, seller_id, title;
  Money price;
};
struct UpdateTicket {
  std::string ticket_id, user_id, title;
  Money price;
  std::optional<std::int64_t> expected_version;  // what the seller saw, if given
};
using Command = std::variant<ListTicket, UpdateTicket>;

[[nodiscard]] State initial_state();
[[nodiscard]] State evolve(State state, TicketEvent const& event);

// The title rule (field title): trimmed of Unicode white space; invalid_input
// "Title is required" when blank, "Title must be at most 200 characters"
// (code points), "Title must not contain control characters" (line breaks,
// tabs inside, C0/C1 controls), "Title must be valid text" (not UTF-8).
[[nodiscard]] Result<std::string> validate_title(std::string_view title);

// ListTicket:   title and price rules (invalid_input), TicketCreated.
// UpdateTicket: title/price rules; not_found; rejected "Cannot edit a reserved
//               ticket" while reserved or sold; unauthenticated "Not authorized"
//               for anyone but the seller; conflict when expected_version is
//               stale; else TicketUpdated.
[[nodiscard]] Result<Events> decide(State const& state, Command const& command, Instant now);

// Transitions driven by orders (used by the order decider, same commit):
// reserve only an available ticket; release and sell only by its holding order.
[[nodiscard]] Result<TicketReserved> reserve(State const& state, std::string const& order_id,
                                             std::string const& buyer_id, Instant now);
[[nodiscard]] std::optional<TicketReleased> release(State const& state, std::string const& order_id, Instant now);
// `amount` is what the buyer paid (the order's price).
[[nodiscard]] std::optional<TicketSold> sell(State const& state, std::string const& order_id,
                                             std::string const& buyer_id, Money amount, Instant now);

}  // namespace ticketing::ticket
