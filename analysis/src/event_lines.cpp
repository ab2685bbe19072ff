#include "analysis/event_lines.hpp"

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

}  // namespace

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
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

void append_jsonl_line(std::string& out, Event const& event, EventPlace const& place) {
  JsonWriter w(std::move(out));
  w.begin_object();
  w.key("type").string(type_name(event));
  w.key("schema").number(current_schema_version(event));
  w.key("stream").string(place.stream);
  w.key("version").number(place.version);
  w.key("at").string(format_iso8601(event_time(event)));
  write_event_data(w.key("data"), event);
  w.key("partition").number(place.position.partition);
  w.key("offset").number(static_cast<std::int64_t>(place.position.offset));
  w.key("commit_id").string(place.commit_id);
  w.key("recorded_at").string(format_iso8601(place.recorded_at));
  w.key("correlation_id").string(place.correlation_id);
  w.end_object();
  out = w.take();
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

void append_csv_line(std::string& out, Event const& event, EventPlace const& place) {
  Columns const c = columns_of(event);
  out += format_iso8601(event_time(event));
  auto const add = [&](std::string_view field) {
    out += ',';
    append_csv_field(out, field);
  };
  add(type_name(event));
  add(std::to_string(current_schema_version(event)));
  add(place.stream);
  add(std::to_string(place.version));
  add(std::to_string(place.position.partition));
  add(std::to_string(place.position.offset));
  for (std::string const* field : {&c.ticket_id, &c.order_id, &c.charge_id, &c.user_id, &c.seller_id, &c.buyer_id,
                                   &c.price_cents, &c.amount_cents, &c.previous_price_cents, &c.reason, &c.title}) {
    add(*field);
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
