#pragma once
// Internal: what both event codecs (JSON and the stored binary one) know of
// the event types: their order in Event, their names, their described
// members, and the schema version each is written with.

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include "domain/events.hpp"

namespace ticketing::codec_detail {

using EventTypes = boost::mp11::mp_rename<Event, boost::mp11::mp_list>;
inline constexpr std::size_t kEventTypes = boost::mp11::mp_size<EventTypes>::value;

// An event type's members, in declaration order (the order both codecs write).
template <class T>
using Members = boost::describe::describe_members<T, boost::describe::mod_public>;

// The index in Event of the alternative named `type`; kEventTypes if none.
inline std::size_t index_of_type(std::string_view type) noexcept {
  static constexpr auto kNames = [] {
    std::array<std::string_view, kEventTypes> names{};
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<kEventTypes>>(
        [&](auto i) { names[i] = boost::mp11::mp_at_c<EventTypes, decltype(i)::value>::kType; });
    return names;
  }();
  return static_cast<std::size_t>(std::find(kNames.begin(), kNames.end(), type) - kNames.begin());
}

// The schema version new events of T are written with.
template <class T>
constexpr int schema_of() {
  if constexpr (std::is_same_v<T, TicketCreated> || std::is_same_v<T, UserCreated> ||
                std::is_same_v<T, TicketUpdated> || std::is_same_v<T, OrderCompleted> ||
                std::is_same_v<T, TicketSold>) {
    return 2;
  } else {
    return 1;
  }
}

}  // namespace ticketing::codec_detail
