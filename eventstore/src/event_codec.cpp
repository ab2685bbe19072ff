#include <algorithm>
#include <array>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include "codec_detail.hpp"
#include "domain/money.hpp"
#include "event_types.hpp"
#include "eventstore/codec.hpp"

namespace ticketing {
namespace {

namespace od = simdjson::ondemand;
using codec_detail::EventTypes;
using codec_detail::index_of_type;
using codec_detail::kEventTypes;
using codec_detail::malformed;
using codec_detail::Members;
using codec_detail::schema_of;

constexpr std::string_view kCentsSuffix = "_cents";

template <class M>
bool key_matches(std::string_view key, std::string_view n) {
  if constexpr (std::is_same_v<M, Money>) {
    return key.size() == n.size() + kCentsSuffix.size() && key.starts_with(n) && key.ends_with(kCentsSuffix);
  } else {
    return key == n;
  }
}

void write_member(JsonWriter& out, char const* name, std::string const& v) { out.key(name).string(v); }
void write_member(JsonWriter& out, char const* name, std::int64_t v) { out.key(name).number(v); }
void write_member(JsonWriter& out, char const* name, bool v) { out.key(name).boolean(v); }
void write_member(JsonWriter& out, char const* name, Instant v) { out.key(name).string(format_iso8601(v)); }
void write_member(JsonWriter& out, char const* name, Money v) {
  out.key(std::string(name) + std::string(kCentsSuffix)).number(v.cents);
}

bool read_member(od::value value, std::string& out) {
  std::string_view s;
  if (value.get_string().get(s)) return false;
  out.assign(s);
  return true;
}
bool read_member(od::value value, std::int64_t& out) { return !value.get_int64().get(out); }
bool read_member(od::value value, bool& out) { return !value.get_bool().get(out); }
bool read_member(od::value value, Money& out) { return !value.get_int64().get(out.cents); }
bool read_member(od::value value, Instant& out) {
  std::string_view s;
  if (value.get_string().get(s)) return false;
  auto const t = parse_iso8601(s);
  if (!t) return false;
  out = *t;
  return true;
}

template <class T>
void write_members(JsonWriter& out, T const& event) {
  out.begin_object();
  boost::mp11::mp_for_each<Members<T>>([&](auto member) { write_member(out, member.name, event.*member.pointer); });
  out.end_object();
}

// Fills every described member of T from `data`; unknown keys are ignored,
// a missing or mistyped member is an error.
template <class T>
Result<T> read_members(od::object data) {
  T out{};
  using List = Members<T>;
  constexpr std::size_t kCount = boost::mp11::mp_size<List>::value;
  static_assert(kCount < 32);
  std::uint32_t seen = 0;
  std::size_t expected = 0;  // writers emit the members in order: that one is tried first
  for (auto field : data) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    bool ok = true, found = false;
    auto const try_member = [&](auto index) {
      using D = boost::mp11::mp_at_c<List, decltype(index)::value>;
      using M = std::remove_cvref_t<decltype(out.*D::pointer)>;
      constexpr std::string_view kName = D::name;
      constexpr std::uint32_t kBit = 1u << decltype(index)::value;
      if (found || (seen & kBit) != 0 || !key_matches<M>(key, kName)) return;
      ok = read_member(field.value(), out.*D::pointer);
      seen |= kBit;
      found = true;
      expected = decltype(index)::value + 1;
    };
    if (expected < kCount) boost::mp11::mp_with_index<kCount>(expected, try_member);
    if (!found) boost::mp11::mp_for_each<boost::mp11::mp_iota_c<kCount>>(try_member);
    if (!ok) return malformed(std::string(T::kType) + "." + std::string(key) + " has the wrong type");
  }
  if (seen != (1u << kCount) - 1) return malformed(std::string(T::kType) + " lacks a field");
  return out;
}

// TicketCreated schema 1 stored the seller as "user_id" and the price as a
// decimal string in currency units ("20.00"). Schema 2 names the seller and
// stores integer cents.
Result<Event> upgrade_ticket_created_v1(od::object data) {
  TicketCreated out{};
  int seen = 0;
  for (auto field : data) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    bool ok = true;
    if (key == "ticket_id") {
      ok = read_member(field.value(), out.ticket_id), seen |= 1;
    } else if (key == "user_id") {
      ok = read_member(field.value(), out.seller_id), seen |= 2;
    } else if (key == "title") {
      ok = read_member(field.value(), out.title), seen |= 4;
    } else if (key == "price") {
      std::string text;
      ok = read_member(field.value(), text);
      auto price = parse_price(text, "Price must be greater than 0");
      ok = ok && price.has_value();
      if (ok) out.price = *price;
      seen |= 8;
    } else if (key == "at") {
      ok = read_member(field.value(), out.at), seen |= 16;
    }
    if (!ok) return malformed("TicketCreated v1." + std::string(key) + " is invalid");
  }
  if (seen != 31) return malformed("TicketCreated v1 lacks a field");
  return Event{out};
}

// UserCreated schema 1 had no display_email: the address shows as stored.
struct UserCreatedV1 {
  std::string user_id, email, password_hash, session_id;
  Instant at;
  static constexpr std::string_view kType = "UserCreated";
};
BOOST_DESCRIBE_STRUCT(UserCreatedV1, (), (user_id, email, password_hash, session_id, at))

Result<Event> upgrade_user_created_v1(od::object data) {
  auto v1 = read_members<UserCreatedV1>(data);
  if (!v1) return v1.error();
  return Event{UserCreated{v1->user_id, v1->email, v1->email, v1->password_hash, v1->session_id, v1->at}};
}

// Schema 1 of TicketUpdated had no previous_price; of OrderCompleted and
// TicketSold, no amount. They read as 0 ("not recorded"): the event alone
// cannot say, the log can (analysis::Completer fills them for analysts).
struct TicketUpdatedV1 {
  std::string ticket_id, title;
  Money price;
  Instant at;
  static constexpr std::string_view kType = "TicketUpdated";
};
BOOST_DESCRIBE_STRUCT(TicketUpdatedV1, (), (ticket_id, title, price, at))
struct OrderCompletedV1 {
  std::string order_id, charge_id;
  Instant at;
  static constexpr std::string_view kType = "OrderCompleted";
};
BOOST_DESCRIBE_STRUCT(OrderCompletedV1, (), (order_id, charge_id, at))
struct TicketSoldV1 {
  std::string ticket_id, order_id, buyer_id;
  Instant at;
  static constexpr std::string_view kType = "TicketSold";
};
BOOST_DESCRIBE_STRUCT(TicketSoldV1, (), (ticket_id, order_id, buyer_id, at))

Result<Event> upgrade_schema_1(std::string_view type, od::object data) {
  if (type == TicketUpdated::kType) {
    auto v1 = read_members<TicketUpdatedV1>(data);
    if (!v1) return v1.error();
    return Event{TicketUpdated{v1->ticket_id, v1->title, v1->price, Money{}, v1->at}};
  }
  if (type == OrderCompleted::kType) {
    auto v1 = read_members<OrderCompletedV1>(data);
    if (!v1) return v1.error();
    return Event{OrderCompleted{v1->order_id, v1->charge_id, Money{}, v1->at}};
  }
  auto v1 = read_members<TicketSoldV1>(data);
  if (!v1) return v1.error();
  return Event{TicketSold{v1->ticket_id, v1->order_id, v1->buyer_id, Money{}, v1->at}};
}

}  // namespace

int current_schema_version(std::string_view type) noexcept {
  std::size_t const index = index_of_type(type);
  if (index == kEventTypes) return 0;
  return boost::mp11::mp_with_index<kEventTypes>(
      index, [](auto i) { return schema_of<boost::mp11::mp_at_c<EventTypes, decltype(i)::value>>(); });
}

int current_schema_version(Event const& event) noexcept {
  return std::visit([](auto const& e) { return schema_of<std::decay_t<decltype(e)>>(); }, event);
}

void write_event(JsonWriter& out, Event const& event) {
  std::visit(
      [&](auto const& e) {
        using T = std::decay_t<decltype(e)>;
        out.key("type").string(T::kType).key("schema").number(schema_of<T>()).key("data");
        write_members(out, e);
      },
      event);
}

void write_event_data(JsonWriter& out, Event const& event) {
  std::visit([&](auto const& e) { write_members(out, e); }, event);
}

std::string encode_event(Event const& event) {
  JsonWriter out;
  out.begin_object();
  write_event(out, event);
  out.end_object();
  return out.take();
}

namespace codec_detail {

Result<Event> decode_event_data(std::string_view type, std::int64_t schema, od::object data) {
  if (type == TicketCreated::kType && schema == 1) return upgrade_ticket_created_v1(data);
  if (type == UserCreated::kType && schema == 1) return upgrade_user_created_v1(data);
  if ((type == TicketUpdated::kType || type == OrderCompleted::kType || type == TicketSold::kType) && schema == 1) {
    return upgrade_schema_1(type, data);
  }
  std::size_t const index = index_of_type(type);
  if (index == kEventTypes) return malformed("unknown event type " + std::string(type));
  return boost::mp11::mp_with_index<kEventTypes>(index, [&](auto i) -> Result<Event> {
    using T = boost::mp11::mp_at_c<EventTypes, decltype(i)::value>;
    if (schema != schema_of<T>()) return malformed(std::string(type) + " has unknown schema " + std::to_string(schema));
    auto decoded = read_members<T>(data);
    if (!decoded) return decoded.error();
    return Event{std::move(*decoded)};
  });
}

Result<std::optional<Event>> decode_event_object(od::object object, bool (*wanted)(std::string_view type) noexcept) {
  std::string_view type;
  std::int64_t schema = 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    if (key == "type") {
      if (field.value().get_string().get(type)) return malformed("type is not a string");
      if (wanted != nullptr && !wanted(type)) return std::optional<Event>();  // the rest is skipped unread
    } else if (key == "schema") {
      if (field.value().get_int64().get(schema)) return malformed("schema is not an integer");
    } else if (key == "data") {
      if (type.empty() || schema == 0) return malformed("type and schema must precede data");
      std::string const type_copy(type);  // the view dies as parsing moves on
      od::object data;
      if (field.value().get_object().get(data)) return malformed("data is not an object");
      auto event = decode_event_data(type_copy, schema, data);
      if (!event) return event.error();
      return std::optional<Event>(std::move(*event));
    }
  }
  return malformed("event lacks data");
}

Result<Event> decode_event_object(od::object object) {
  auto event = decode_event_object(object, nullptr);
  if (!event) return event.error();
  return std::move(**event);
}

}  // namespace codec_detail

Result<Event> decode_event(std::string_view json) {
  thread_local od::parser parser;
  od::document doc;
  if (parser.iterate(codec_detail::padded(json)).get(doc)) return malformed("not JSON");
  od::object object;
  if (doc.get_object().get(object)) return malformed("event is not an object");
  return codec_detail::decode_event_object(object);
}

}  // namespace ticketing
