#include "application/snapshot_formats.hpp"

#include <deque>
#include <map>
#include <string>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include "encoding/varint.hpp"

// The members each format writes: every member of the State, in order.
namespace ticketing::user {
BOOST_DESCRIBE_STRUCT(State, (),
                      (exists, user_id, email, password_hash, display_email, recent_failures, open_sessions,
                       sessions_checked_at, version))
}  // namespace ticketing::user
namespace ticketing::ticket {
BOOST_DESCRIBE_ENUM(Status, available, reserved, sold)
BOOST_DESCRIBE_STRUCT(State, (), (exists, ticket_id, seller_id, title, price, status, order_id, orders_placed, version))
}  // namespace ticketing::ticket
namespace ticketing::order {
BOOST_DESCRIBE_ENUM(Status, created, awaiting_payment, cancelled, complete)
BOOST_DESCRIBE_STRUCT(State, (),
                      (exists, order_id, ticket_id, buyer_id, title, price, ticket_version, created_at, expires_at,
                       status, expired, charge_id, payment_attempts, version))
}  // namespace ticketing::order
namespace ticketing::charge {
BOOST_DESCRIBE_ENUM(Status, none, created, succeeded, failed, refunded)
BOOST_DESCRIBE_STRUCT(State, (),
                      (exists, charge_id, order_id, gateway_id, refund_id, failure_reason, amount, status,
                       refund_required, retryable, version))
}  // namespace ticketing::charge

namespace ticketing::snapshot_formats {
namespace {

// A State with a member not listed above would be kept without it. Each
// binding below names every member of its State, so it stops compiling when
// a member is added; the assertion then asks for it in the list too.
template <class State>
constexpr std::size_t kListed =
    boost::mp11::mp_size<boost::describe::describe_members<State, boost::describe::mod_public>>::value;
[[maybe_unused]] void every_member_listed(user::State const& s) {
  [[maybe_unused]] auto const& [a, b, c, d, e, f, g, h, i] = s;
  static_assert(kListed<user::State> == 9);
}
[[maybe_unused]] void every_member_listed(ticket::State const& s) {
  [[maybe_unused]] auto const& [a, b, c, d, e, f, g, h, i] = s;
  static_assert(kListed<ticket::State> == 9);
}
[[maybe_unused]] void every_member_listed(order::State const& s) {
  [[maybe_unused]] auto const& [a, b, c, d, e, f, g, h, i, j, k, l, m, n] = s;
  static_assert(kListed<order::State> == 14);
}
[[maybe_unused]] void every_member_listed(charge::State const& s) {
  [[maybe_unused]] auto const& [a, b, c, d, e, f, g, h, i, j, k] = s;
  static_assert(kListed<charge::State> == 11);
}

// A member's encoding: integers (and Money's cents, an Instant's
// milliseconds, an enum's value) as zigzag varints, a bool as one, text as
// its length and bytes, a sequence as its length and elements.
struct Writer {
  std::string out;
  void put(std::int64_t v) { varint::put_signed(out, v); }
  void put(bool v) { put(std::int64_t{v ? 1 : 0}); }
  void put(std::uint32_t v) { put(std::int64_t{v}); }
  void put(Money v) { put(v.cents); }
  void put(Instant v) { put(to_millis(v)); }
  void put(std::string const& v) {
    varint::put(out, v.size());
    out += v;
  }
  template <class E>
  requires std::is_enum_v<E>
  void put(E v) { put(static_cast<std::int64_t>(v)); }
  void put(std::deque<Instant> const& v) { put_all(v); }
  void put(std::map<std::string, Instant> const& v) {
    varint::put(out, v.size());
    for (auto const& [key, value] : v) {
      put(key);
      put(value);
    }
  }
  template <class Sequence>
  void put_all(Sequence const& v) {
    varint::put(out, v.size());
    for (auto const& e : v) put(e);
  }
};

// Reads what Writer wrote; false when the bytes are not such a member.
struct Reader {
  std::string_view in;
  bool get(std::int64_t& v) { return varint::get_signed(in, v); }
  bool get(bool& v) {
    std::int64_t i = 0;
    if (!get(i) || (i != 0 && i != 1)) return false;
    v = i == 1;
    return true;
  }
  bool get(std::uint32_t& v) {
    std::int64_t i = 0;
    if (!get(i) || i < 0 || i > std::int64_t{UINT32_MAX}) return false;
    v = static_cast<std::uint32_t>(i);
    return true;
  }
  bool get(Money& v) { return get(v.cents); }
  bool get(Instant& v) {
    std::int64_t ms = 0;
    if (!get(ms)) return false;
    v = from_millis(ms);
    return true;
  }
  bool get(std::string& v) {
    std::uint64_t n = 0;
    if (!varint::get(in, n) || n > in.size()) return false;
    v.assign(in.substr(0, n));
    in.remove_prefix(n);
    return true;
  }
  template <class E>
  requires std::is_enum_v<E>
  bool get(E& v) {
    std::int64_t i = 0;
    if (!get(i)) return false;
    bool named = false;
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>(
        [&](auto e) { named = named || static_cast<std::int64_t>(e.value) == i; });
    v = static_cast<E>(i);
    return named;
  }
  bool get(std::deque<Instant>& v) { return get_all(v); }
  bool get(std::map<std::string, Instant>& v) {
    std::uint64_t n = 0;
    if (!varint::get(in, n) || n > in.size()) return false;  // each entry takes a byte at least
    v.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string key;
      Instant value;
      if (!get(key) || !get(value) || !v.emplace(std::move(key), value).second) return false;
    }
    return true;
  }
  template <class Sequence>
  bool get_all(Sequence& v) {
    std::uint64_t n = 0;
    if (!varint::get(in, n) || n > in.size()) return false;  // each element takes a byte at least
    v.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      typename Sequence::value_type e{};
      if (!get(e)) return false;
      v.insert(v.end(), std::move(e));
    }
    return true;
  }
};

template <class State>
std::string encode(State const& state) {
  Writer w;
  boost::mp11::mp_for_each<boost::describe::describe_members<State, boost::describe::mod_public>>(
      [&](auto m) { w.put(state.*m.pointer); });
  return std::move(w.out);
}

template <class State>
std::optional<State> decode(std::string_view bytes) {
  Reader r{bytes};
  State state;
  bool ok = true;
  boost::mp11::mp_for_each<boost::describe::describe_members<State, boost::describe::mod_public>>(
      [&](auto m) { ok = ok && r.get(state.*m.pointer); });
  if (!ok || !r.in.empty()) return std::nullopt;
  return state;
}

}  // namespace

// user/3: open sessions with the time each was opened, and when expired
// ones were last dropped (user/1: ids alone; user/2: no such time).
SnapshotFormat<user::State> const user{"user/3", encode<user::State>, decode<user::State>};
SnapshotFormat<ticket::State> const ticket{"ticket/1", encode<ticket::State>, decode<ticket::State>};
SnapshotFormat<order::State> const order{"order/1", encode<order::State>, decode<order::State>};
SnapshotFormat<charge::State> const charge{"charge/1", encode<charge::State>, decode<charge::State>};

}  // namespace ticketing::snapshot_formats
