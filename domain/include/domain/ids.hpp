#pragma once
// Identifiers and stream names. Ids are opaque strings on the wire; inside,
// their shape lets any node find a record's partition without a lookup:
//   ticket id  : generated (24 lowercase hex digits)
//   order id   : "<ticketId>-<n>", the ticket's n-th order (n from 1)
//   charge id  : "<orderId>-c<n>", the order's n-th payment attempt
// A ticket, its orders and their charges share the ticket id as partition key.
// A user's streams use the normalised e-mail as partition key.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ticketing {

[[nodiscard]] std::string order_id_for(std::string_view ticket_id, std::uint32_t n);
[[nodiscard]] std::string charge_id_for(std::string_view order_id, std::uint32_t n);

// The ticket id an order or charge id belongs to; nullopt if malformed.
[[nodiscard]] std::optional<std::string> ticket_id_of_order(std::string_view order_id);
[[nodiscard]] std::optional<std::string> order_id_of_charge(std::string_view charge_id);

// A generated id: exactly 24 lowercase hex digits.
[[nodiscard]] bool is_generated_id(std::string_view id) noexcept;

// Stream names: "<category>-<id>".
[[nodiscard]] std::string user_stream(std::string_view normalized_email);
[[nodiscard]] std::string ticket_stream(std::string_view ticket_id);
[[nodiscard]] std::string order_stream(std::string_view order_id);
[[nodiscard]] std::string charge_stream(std::string_view charge_id);

}  // namespace ticketing
