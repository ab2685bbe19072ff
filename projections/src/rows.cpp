#include "projections/rows.hpp"

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include "domain/money.hpp"
#include "domain/time.hpp"
#include "encoding/byte_order.hpp"
#include "encoding/json_writer.hpp"
#include "encoding/varint.hpp"

namespace ticketing::views {
namespace {

template <class T>
using Members = boost::describe::describe_members<T, boost::describe::mod_public>;

void put(std::string& out, std::string const& s) {
  varint::put(out, s.size());
  out += s;
}
void put(std::string& out, std::int64_t v) { bytes::put_be64(out, static_cast<std::uint64_t>(v)); }
template <class E>
requires std::is_enum_v<E>
void put(std::string& out, E e) { out += static_cast<char>(static_cast<std::uint8_t>(e)); }

bool get(std::string_view& in, std::string& s) {
  std::uint64_t n = 0;
  if (!varint::get(in, n) || in.size() < n) return false;
  s.assign(in.substr(0, static_cast<std::size_t>(n)));
  in.remove_prefix(static_cast<std::size_t>(n));
  return true;
}
bool get(std::string_view& in, std::int64_t& v) {
  if (in.size() < 8) return false;
  v = static_cast<std::int64_t>(bytes::get_be64(in));
  in.remove_prefix(8);
  return true;
}
template <class E>
requires std::is_enum_v<E>
bool get(std::string_view& in, E& e) {
  if (in.empty()) return false;
  e = static_cast<E>(static_cast<std::uint8_t>(in.front()));
  in.remove_prefix(1);
  return true;
}

}  // namespace

template <class Row>
std::string encode_row(Row const& row) {
  std::string out;
  out.reserve(128);
  boost::mp11::mp_for_each<Members<Row>>([&](auto m) { put(out, row.*m.pointer); });
  return out;
}

template <class Row>
std::optional<Row> decode_row(std::string_view bytes) {
  Row row{};
  bool ok = true;
  std::size_t index = 0;
  boost::mp11::mp_for_each<Members<Row>>([&](auto m) {
    bool const may_end = [&] {
      if constexpr (requires { Row::kStoredBefore; }) return index >= Row::kStoredBefore;
      return false;
    }();
    ++index;
    if (!ok || (may_end && bytes.empty())) return;
    ok = get(bytes, row.*m.pointer);
  });
  if (!ok || !bytes.empty()) return std::nullopt;
  return row;
}

template std::string encode_row(TicketRow const&);
template std::string encode_row(OrderRow const&);
template std::optional<TicketRow> decode_row(std::string_view);
template std::optional<OrderRow> decode_row(std::string_view);

std::string render_ticket(TicketRow const& row) {
  JsonWriter w;
  w.reserve(160);
  w.begin_object();
  w.key("id").string(row.id);
  w.key("title").string(row.title);
  w.key("price").raw(format_units(Money{row.price_cents}));
  w.key("userId").string(row.seller_id);
  w.key("version").number(row.version);
  w.key("status").string(ticket::to_string(row.status));
  if (!row.order_id.empty()) w.key("orderId").string(row.order_id);
  if (row.status == ticket::Status::reserved && row.held_until_ms > 0) {
    w.key("heldUntil").string(format_iso8601(from_millis(row.held_until_ms)));
  }
  w.key("listedAt").string(format_iso8601(from_millis(row.listed_at_ms)));
  w.end_object();
  return w.take();
}

std::string render_order(OrderRow const& row) {
  JsonWriter w;
  w.reserve(256);
  w.begin_object();
  w.key("id").string(row.id);
  w.key("userId").string(row.buyer_id);
  w.key("status").string(order::to_string(row.status));
  w.key("expiresAt").string(format_iso8601(from_millis(row.expires_at_ms)));
  w.key("version").number(row.version);
  w.key("ticket").begin_object();
  w.key("id").string(row.ticket_id);
  w.key("title").string(row.title);
  w.key("price").raw(format_units(Money{row.price_cents}));
  w.key("version").number(row.ticket_version);
  w.end_object();
  w.end_object();
  return w.take();
}

TicketRow row_of(TicketCreated const& created) {
  return TicketRow{created.ticket_id,
                   created.title,
                   created.seller_id,
                   {},
                   created.price.cents,
                   0,
                   ticket::Status::available,
                   to_millis(created.at),
                   0};
}

OrderRow row_of(OrderCreated const& created) {
  return OrderRow{created.order_id,
                  created.buyer_id,
                  created.ticket_id,
                  created.title,
                  {},
                  created.price.cents,
                  created.ticket_version,
                  0,
                  order::Status::created,
                  to_millis(created.at),
                  to_millis(created.expires_at)};
}

}  // namespace ticketing::views
