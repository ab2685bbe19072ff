#include "analysis/event_lines.hpp"

#include <algorithm>
#include <array>

#include "encoding/json_writer.hpp"
#include "eventstore/codec.hpp"

namespace ticketing::analysis {
namespace {

// The flat columns an event fills; empty where it has no such field.
struct Columns {
  std::string ticket_id, order_id, charge_id, user_id, seller_id, buyer_id, price_cents, amount_cents,
      previous_price_cents, reason, title;
};

Columns columns_of(Event const& event) {
  Columns c;
  std::visit(
      [&](auto const& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (requires { e.ticket_id; }) c.ticket_id = e.ticket_id;
        if constexpr (requires { e.order_id; }) c.order_id = e.order_id;
        if constexpr (requires { e.charge_id; }) c.charge_id = e.charge_id;
        if constexpr (requires { e.user_id; }) c.user_id = e.user_id;
        if constexpr (requires { e.seller_id; }) c.seller_id = e.seller_id;
        if constexpr (requires { e.buyer_id; }) c.buyer_id = e.buyer_id;
        if constexpr (requires { e.price.cents; }) c.price_cents = std::to_string(e.price.cents);
        if constexpr (requires { e.amount.cents; }) c.amount_cents = std::to_string(e.amount.cents);
        if constexpr (requires { e.previous_price.cents; }) {
          c.previous_price_cents = std::to_string(e.previous_price.cents);
        }
        if constexpr (requires { e.reason; }) c.reason = e.reason;
        if constexpr (requires { e.title; }) c.title = e.title;
        (void)sizeof(T);
      },
      event);
  return c;
}

// The columns after `at`'s, by name: an event's data member of that name
// fills it (Money members are stored as "<name>_cents").
constexpr std::array<std::string_view, 11> kMemberColumns{"ticket_id",   "order_id",     "charge_id",
                                                          "user_id",     "seller_id",    "buyer_id",
                                                          "price_cents", "amount_cents", "previous_price_cents",
                                                          "reason",      "title"};

// The line's fields from type to offset, each after a comma.
void append_place(std::string& out, std::string_view type, std::int64_t schema, EventPlace const& place);

}  // namespace

void append_csv_field(std::string& out, std::string_view text) {
  // A loop, not find_first_of: that searches the set once per character.
  bool const plain =
      std::none_of(text.begin(), text.end(), [](char c) { return c == ',' || c == '"' || c == '\r' || c == '\n'; });
  if (plain) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_field(std::string_view text) {
  std::string out;
  append_csv_field(out, text);
  return out;
}

Instant event_time(Event const& event) {
  return std::visit([](auto const& e) { return e.at; }, event);
}

namespace {

// One jsonl line; `data` writes the event's data object.
template <class Data>
void write_jsonl_line(std::string& out, std::string_view type, std::int64_t schema, Instant at, EventPlace const& place,
                      Data const& data) {
  JsonWriter w(std::move(out));
  w.begin_object();
  w.key("type").string(type);
  w.key("schema").number(schema);
  w.key("stream").string(place.stream);
  w.key("version").number(place.version);
  w.key("at").string(format_iso8601(at));
  data(w.key("data"));
  w.key("partition").number(place.position.partition);
  w.key("offset").number(static_cast<std::int64_t>(place.position.offset));
  w.key("commit_id").string(place.commit_id);
  w.key("recorded_at").string(format_iso8601(place.recorded_at));
  w.key("correlation_id").string(place.correlation_id);
  w.end_object();
  out = w.take();
}

}  // namespace

void append_jsonl_line(std::string& out, Event const& event, EventPlace const& place) {
  write_jsonl_line(out, type_name(event), current_schema_version(event), event_time(event), place,
                   [&](JsonWriter& w) { write_event_data(w, event); });
}

void append_jsonl_line(std::string& out, EventView const& event, EventPlace const& place) {
  write_jsonl_line(out, event.type, event.schema, event.at, place, [&](JsonWriter& w) { w.raw(event.data); });
}

std::string jsonl_line(Event const& event, EventPlace const& place) {
  std::string out;
  out.reserve(512);
  append_jsonl_line(out, event, place);
  return out;
}

std::string csv_header() {
  return "at,type,schema,stream,version,partition,offset,ticket_id,order_id,charge_id,user_id,seller_id,buyer_id,"
         "price_cents,amount_cents,previous_price_cents,reason,title";
}

namespace {

void append_place(std::string& out, std::string_view type, std::int64_t schema, EventPlace const& place) {
  out += ',';
  append_csv_field(out, type);
  out += ',';
  out += std::to_string(schema);
  out += ',';
  append_csv_field(out, place.stream);
  for (auto const number : {place.version, static_cast<std::int64_t>(place.position.partition),
                            static_cast<std::int64_t>(place.position.offset)}) {
    out += ',';
    out += std::to_string(number);
  }
}

}  // namespace

void append_csv_line(std::string& out, Event const& event, EventPlace const& place) {
  Columns const c = columns_of(event);
  out += format_iso8601(event_time(event));
  append_place(out, type_name(event), current_schema_version(event), place);
  for (std::string const* field : {&c.ticket_id, &c.order_id, &c.charge_id, &c.user_id, &c.seller_id, &c.buyer_id,
                                   &c.price_cents, &c.amount_cents, &c.previous_price_cents, &c.reason, &c.title}) {
    out += ',';
    append_csv_field(out, *field);
  }
}

void append_csv_line(std::string& out, EventView const& event, EventPlace const& place) {
  std::array<std::string_view, kMemberColumns.size()> columns;
  for (DataMember const& member : event.members) {
    auto const column = std::find(kMemberColumns.begin(), kMemberColumns.end(), member.key);
    if (column != kMemberColumns.end())
      columns[static_cast<std::size_t>(column - kMemberColumns.begin())] = member.text;
  }
  out += format_iso8601(event.at);
  append_place(out, event.type, event.schema, place);
  for (auto const& field : columns) {
    out += ',';
    append_csv_field(out, field);
  }
}

std::string csv_line(Event const& event, EventPlace const& place) {
  std::string out;
  append_csv_line(out, event, place);
  return out;
}

std::string commit_line(RecordedCommit const& commit, Instant recorded_at) {
  Commit shown = commit.commit;
  shown.meta.recorded_at = recorded_at;
  JsonWriter w;
  w.begin_object();
  w.key("partition").number(commit.position.partition);
  w.key("offset").number(static_cast<std::int64_t>(commit.position.offset));
  w.key("commit").raw(encode_commit(shown));
  w.end_object();
  return w.take();
}

}  // namespace ticketing::analysis
