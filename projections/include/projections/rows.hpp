#pragma once
// The rows of the read models and their storage encoding. Rows hold exactly
// what queries answer; they are rendered to API JSON on the way out.
// Encoding: members in declaration order; strings as varint length + bytes,
// integers as 8 bytes big-endian, enums as one byte. Deterministic, so a
// rebuilt model is byte-identical to the live one. A row may end before
// members added after its first kStoredBefore: rows stored before those
// members existed read with their defaults.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/describe/class.hpp>

#include "domain/order.hpp"
#include "domain/ticket.hpp"

namespace ticketing::views {

struct TicketRow {
  std::string id, title, seller_id, order_id;
  std::int64_t price_cents{0};
  std::int64_t version{0};
  ticket::Status status{ticket::Status::available};
  std::int64_t listed_at_ms{0};
  std::int64_t held_until_ms{0};                   // while reserved: when the hold ends
  static constexpr std::size_t kStoredBefore = 8;  // members before held_until_ms
  friend bool operator==(TicketRow const&, TicketRow const&) = default;
};

struct OrderRow {
  std::string id, buyer_id, ticket_id, title, charge_id;
  std::int64_t price_cents{0};
  std::int64_t ticket_version{0};
  std::int64_t version{0};
  order::Status status{order::Status::created};
  std::int64_t created_at_ms{0};
  std::int64_t expires_at_ms{0};
  friend bool operator==(OrderRow const&, OrderRow const&) = default;
};

BOOST_DESCRIBE_STRUCT(TicketRow, (),
                      (id, title, seller_id, order_id, price_cents, version, status, listed_at_ms, held_until_ms))
BOOST_DESCRIBE_STRUCT(OrderRow, (),
                      (id, buyer_id, ticket_id, title, charge_id, price_cents, ticket_version, version, status,
                       created_at_ms, expires_at_ms))

template <class Row>
[[nodiscard]] std::string encode_row(Row const& row);
// nullopt if `bytes` is not a valid encoding of Row.
template <class Row>
[[nodiscard]] std::optional<Row> decode_row(std::string_view bytes);

// The row a creation event starts (what the record looks like as of its
// creating commit): the projection stores it, and the API answers a create
// request, first or retried, with it.
[[nodiscard]] TicketRow row_of(TicketCreated const& created);
[[nodiscard]] OrderRow row_of(OrderCreated const& created);

// API shapes (API.md "Shapes").
[[nodiscard]] std::string render_ticket(TicketRow const& row);
[[nodiscard]] std::string render_order(OrderRow const& row);

}  // namespace ticketing::views
