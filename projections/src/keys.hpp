#pragma once
// Internal: key layout of the views database.
//   c/<be32 partition>                        -> be64 next offset (checkpoint)
//   t/<ticket id>                             -> TicketRow
//   a/<be64 listed at ms><ticket id>          -> TicketRow (a copy)   tickets for sale
//   s/<seller id>\0<be64 listed at><ticket>   -> ""   tickets by seller
//   o/<order id>                              -> OrderRow
//   b/<buyer id>\0<be64 created at><order id> -> ""   orders by buyer
//   r/<session id>                            -> ""   revoked sessions
//   d/<yyyy-mm-dd>                            -> DayStats
//   x/totals                                  -> Totals

#include <cstdint>
#include <string>
#include <string_view>

namespace ticketing::views::keys {

inline void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}
inline std::uint64_t get_be(std::string_view in, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

inline std::string checkpoint(std::uint32_t partition) {
  std::string k = "c/";
  put_be(k, partition, 4);
  return k;
}
inline std::string ticket(std::string_view id) { return "t/" + std::string(id); }
inline std::string order(std::string_view id) { return "o/" + std::string(id); }
inline std::string revoked(std::string_view session) { return "r/" + std::string(session); }
inline std::string day(std::string_view date) { return "d/" + std::string(date); }
inline constexpr std::string_view kTotals = "x/totals";

inline std::string for_sale(std::int64_t listed_at_ms, std::string_view ticket_id) {
  std::string k = "a/";
  put_be(k, static_cast<std::uint64_t>(listed_at_ms), 8);
  k += ticket_id;
  return k;
}
inline std::string by_seller(std::string_view seller, std::int64_t listed_at_ms, std::string_view ticket_id) {
  std::string k = "s/" + std::string(seller);
  k += '\0';
  put_be(k, static_cast<std::uint64_t>(listed_at_ms), 8);
  k += ticket_id;
  return k;
}
inline std::string by_buyer(std::string_view buyer, std::int64_t created_at_ms, std::string_view order_id) {
  std::string k = "b/" + std::string(buyer);
  k += '\0';
  put_be(k, static_cast<std::uint64_t>(created_at_ms), 8);
  k += order_id;
  return k;
}

}  // namespace ticketing::views::keys
