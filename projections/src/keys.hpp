#pragma once
// Internal: key layout of the views database.
//   c/<be32 partition>                        -> be64 next offset (checkpoints:: in eventstore/small_store.hpp)
//   t/<ticket id>                             -> TicketRow
//   a/<be64 listed at ms><ticket id>          -> TicketRow (a copy)   tickets for sale
//   p/<be64 price><be64 listed at><ticket id> -> TicketRow (a copy)   tickets for sale by price
//   x/price-index                             -> ""   the price index covers every ticket for sale
//   x/wal-roll                                -> never stored: written and deleted to switch the memtable
//   s/<seller id>\0<be64 listed at><ticket>   -> ""   tickets by seller
//   o/<order id>                              -> OrderRow
//   b/<buyer id>\0<be64 created at><order id> -> ""   orders by buyer
//   r/<session id>                            -> ""   revoked sessions
// (Data directories from before the figures came from the log may still
// hold d/<day> and x/totals keys: nothing reads them.)

#include <cstdint>
#include <string>
#include <string_view>

#include "encoding/byte_order.hpp"

namespace ticketing::views::keys {

// Prefixes of the keys that are scanned.
inline constexpr std::string_view kForSale = "a/";
inline constexpr std::string_view kByPrice = "p/";
inline constexpr std::string_view kPriceIndexBuilt = "x/price-index";
inline constexpr std::string_view kWalRoll = "x/wal-roll";

inline constexpr std::string_view kTicket = "t/";
inline constexpr std::string_view kOrder = "o/";
inline std::string ticket(std::string_view id) { return std::string(kTicket) + std::string(id); }
inline std::string order(std::string_view id) { return std::string(kOrder) + std::string(id); }
inline std::string revoked(std::string_view session) { return "r/" + std::string(session); }

// All of a seller's tickets, or a buyer's orders: "s/<seller id>\0".
inline std::string of_seller(std::string_view seller) {
  std::string k = "s/" + std::string(seller);
  k += '\0';
  return k;
}
inline std::string of_buyer(std::string_view buyer) {
  std::string k = "b/" + std::string(buyer);
  k += '\0';
  return k;
}

inline std::string for_sale(std::int64_t listed_at_ms, std::string_view ticket_id) {
  std::string k(kForSale);
  bytes::put_be64(k, static_cast<std::uint64_t>(listed_at_ms));
  k += ticket_id;
  return k;
}
inline std::string by_price(std::int64_t price_cents, std::int64_t listed_at_ms, std::string_view ticket_id) {
  std::string k(kByPrice);
  bytes::put_be64(k, static_cast<std::uint64_t>(price_cents));
  bytes::put_be64(k, static_cast<std::uint64_t>(listed_at_ms));
  k += ticket_id;
  return k;
}
inline std::string by_seller(std::string_view seller, std::int64_t listed_at_ms, std::string_view ticket_id) {
  std::string k = of_seller(seller);
  bytes::put_be64(k, static_cast<std::uint64_t>(listed_at_ms));
  k += ticket_id;
  return k;
}
inline std::string by_buyer(std::string_view buyer, std::int64_t created_at_ms, std::string_view order_id) {
  std::string k = of_buyer(buyer);
  bytes::put_be64(k, static_cast<std::uint64_t>(created_at_ms));
  k += order_id;
  return k;
}

}  // namespace ticketing::views::keys
