#include "eventstore/commit_view.hpp"

#include <algorithm>

#include "codec_detail.hpp"
#include "domain/money.hpp"
#include "event_types.hpp"
#include "eventstore/codec.hpp"

namespace ticketing {
namespace {

namespace od = simdjson::ondemand;
using codec_detail::malformed;

// `field`: a member as an object's iteration yields it.
Result<std::string_view> string_member(simdjson::simdjson_result<od::field>& field, std::string_view name) {
  std::string_view value;
  if (field.value().get_string().get(value)) return malformed(std::string(name) + " is not a string");
  return value;
}

// The data's members that are strings or integers, and its "at".
Result<void> read_data(od::object data, EventView& event, std::vector<DataMember>& members,
                       std::deque<std::string>& numbers) {
  bool has_at = false;
  for (auto member : data) {
    std::string_view key;
    if (member.unescaped_key().get(key)) return malformed("bad key");
    od::value value;
    od::json_type type{};
    if (member.value().get(value) || value.type().get(type)) return malformed("bad value");
    if (type == od::json_type::string) {
      std::string_view text;
      if (value.get_string().get(text)) return malformed(std::string(key) + " is not a string");
      members.push_back({key, text});
      if (key == "at") {
        auto const time = parse_iso8601(text);
        if (!time) return malformed("data.at is not an ISO-8601 time");
        event.at = *time;
        has_at = true;
      }
    } else if (type == od::json_type::number) {
      std::int64_t number = 0;
      if (value.get_int64().get(number)) return malformed(std::string(key) + " is not an integer");
      members.push_back({key, numbers.emplace_back(std::to_string(number))});
    }
  }
  if (!has_at) return malformed("data lacks at");
  return {};
}

// Reads an event, appending its data's members to `members` (the integers'
// text kept in `numbers`).
Result<EventView> read_event(od::object object, std::vector<DataMember>& members, std::deque<std::string>& numbers) {
  EventView event;
  int seen = 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    if (key == "stream" || key == "type") {
      auto value = string_member(field, key);
      if (!value) return value.error();
      (key == "stream" ? event.stream : event.type) = *value;
      seen |= key == "stream" ? 1 : 2;
    } else if (key == "schema") {
      if (field.value().get_int64().get(event.schema)) return malformed("schema is not an integer");
      seen |= 4;
    } else if (key == "data") {
      od::object data;
      if (field.value().get_object().get(data)) return malformed("data is not an object");
      auto read = read_data(data, event, members, numbers);
      if (!read) return read.error();
      bool rewound = false;
      if (data.reset().get(rewound) || data.raw_json().get(event.data)) return malformed("data is not an object");
      seen |= 8;
    }
  }
  if (seen != 15) return malformed("event lacks stream, type, schema or data");
  return event;
}

// The member's key in an event's JSON data (Money's with its suffix).
template <class D, class M>
std::string_view json_key() {
  if constexpr (std::is_same_v<M, Money>) {
    static std::string const key = std::string(D::name) + "_cents";
    return key;
  } else {
    return D::name;
  }
}

// What read_data gives of a JSON event's data, from the decoded event:
// its string and integer members (text in `text`) and its "at".
template <class T>
Instant add_members(T const& event, std::vector<DataMember>& members, std::deque<std::string>& text) {
  Instant at{};
  boost::mp11::mp_for_each<codec_detail::Members<T>>([&](auto d) {
    using D = decltype(d);
    using M = std::remove_cvref_t<decltype(event.*D::pointer)>;
    auto const& value = event.*D::pointer;
    std::string_view const key = json_key<D, M>();
    if constexpr (std::is_same_v<M, std::string>) {
      members.push_back({key, value});
    } else if constexpr (std::is_same_v<M, std::int64_t>) {
      members.push_back({key, text.emplace_back(std::to_string(value))});
    } else if constexpr (std::is_same_v<M, Money>) {
      members.push_back({key, text.emplace_back(std::to_string(value.cents))});
    } else if constexpr (std::is_same_v<M, Instant>) {
      members.push_back({key, text.emplace_back(format_iso8601(value))});
      if (key == "at") at = value;
    }
  });
  return at;
}

}  // namespace

struct CommitReader::Parser {
  od::parser parser;
  od::document document;
  std::string buffer;                 // the commit with the padding the parser reads past its end
  codec_detail::BinaryCommit binary;  // a binary commit's parts
  Events events;                      // its events, decoded
};

CommitReader::CommitReader() : parser_(std::make_unique<Parser>()) {}
CommitReader::~CommitReader() = default;

Result<CommitView const*> CommitReader::read(std::string_view encoded) {
  Parser& p = *parser_;
  if (codec_detail::is_binary(encoded)) {
    p.buffer.assign(encoded);  // what the view shows in place must outlive the caller's bytes
    return read_binary(p.buffer);
  }
  p.buffer.reserve(encoded.size() + simdjson::SIMDJSON_PADDING);
  p.buffer.assign(encoded);
  return parse(p.buffer.data(), encoded.size(), p.buffer.capacity());
}

Result<CommitView const*> CommitReader::read(StoredCommit const& commit) {
  std::string const& text = commit.encoded;
  if (codec_detail::is_binary(text)) return read_binary(text);
  if (!codec_detail::parses_in_place(text)) return read(std::string_view(text));
  return parse(text.data(), text.size(), text.capacity());
}

// A binary commit's view: its envelope seen in place, each event decoded
// and its data written as the JSON a JSON commit holds, so that the view is
// the one its JSON form gives.
Result<CommitView const*> CommitReader::read_binary(std::string_view encoded) {
  Parser& p = *parser_;
  clear();
  if (auto read = codec_detail::read_binary_commit(encoded, p.binary); !read) return read.error();
  view_.commit_id = p.binary.commit_id;
  view_.partition_key = p.binary.partition_key;
  view_.correlation_id = p.binary.correlation_id;
  view_.recorded_at = p.binary.recorded_at;
  for (auto const& [stream, version] : p.binary.expected) next_version_.emplace_back(stream, version + 1);
  p.events.clear();
  p.events.reserve(p.binary.events.size());  // no reallocation: members view the events' strings
  for (auto const& stored : p.binary.events) {
    auto event = codec_detail::decode_binary_event(stored);
    if (!event) return event.error();
    Event const& kept = p.events.emplace_back(std::move(*event));
    EventView& view = view_.events.emplace_back();
    view.stream = numbers_.emplace_back(stream_of(kept));
    view.type = type_name(kept);
    view.schema = static_cast<std::int64_t>(stored.schema);
    JsonWriter data;
    write_event_data(data, kept);
    view.data = numbers_.emplace_back(data.take());
    std::size_t const before = members_.size();
    std::visit([&](auto const& e) { view.at = add_members(e, members_, numbers_); }, kept);
    member_counts_.push_back(members_.size() - before);
  }
  return finish();
}

void CommitReader::clear() {
  view_.events.clear();
  next_version_.clear();
  members_.clear();
  member_counts_.clear();
  numbers_.clear();
}

Result<CommitView const*> CommitReader::parse(char const* text, std::size_t size, std::size_t capacity) {
  Parser& p = *parser_;
  clear();
  if (p.parser.iterate(simdjson::padded_string_view(text, size, capacity)).get(p.document)) {
    return malformed("not JSON");
  }
  od::object object;
  if (p.document.get_object().get(object)) return malformed("commit is not an object");
  int seen = 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    if (key == "commit_id" || key == "partition_key") {
      auto value = string_member(field, key);
      if (!value) return value.error();
      (key == "commit_id" ? view_.commit_id : view_.partition_key) = *value;
      seen |= key == "commit_id" ? 1 : 2;
    } else if (key == "expected") {
      od::array array;
      if (field.value().get_array().get(array)) return malformed("expected is not an array");
      next_version_.clear();
      for (auto element : array) {
        std::string_view stream;
        std::int64_t version = 0;
        od::object entry;
        if (element.get_object().get(entry) || entry.find_field_unordered("stream").get_string().get(stream) ||
            entry.find_field_unordered("version").get_int64().get(version)) {
          return malformed("expected entry lacks stream or version");
        }
        if (!is_expected_version(version)) return malformed("expected.version is out of range");
        next_version_.emplace_back(stream, version + 1);
      }
      seen |= 4;
    } else if (key == "events") {
      od::array array;
      if (field.value().get_array().get(array)) return malformed("events is not an array");
      view_.events.clear();  // a repeated key: the last one counts, as in decode_commit
      members_.clear();
      member_counts_.clear();
      for (auto element : array) {
        od::object event_object;
        if (element.get_object().get(event_object)) return malformed("event is not an object");
        std::size_t const before = members_.size();
        auto event = read_event(event_object, members_, numbers_);
        if (!event) return event.error();
        view_.events.push_back(*event);
        member_counts_.push_back(members_.size() - before);
      }
      seen |= 8;
    } else if (key == "meta") {
      od::object meta;
      if (field.value().get_object().get(meta)) return malformed("meta is not an object");
      for (auto member : meta) {
        std::string_view name;
        if (member.unescaped_key().get(name)) return malformed("bad key");
        if (name != "correlation_id" && name != "recorded_at") continue;
        auto value = string_member(member, name);
        if (!value) return value.error();
        if (name == "correlation_id") {
          view_.correlation_id = *value;
        } else {
          auto const at = parse_iso8601(*value);
          if (!at) return malformed("meta.recorded_at is not an ISO-8601 time");
          view_.recorded_at = *at;
        }
      }
      seen |= 16;
    }
  }
  if (seen != 31) return malformed("commit lacks a field");
  return finish();
}

CommitView const* CommitReader::finish() {
  // The k-th event of a stream follows the version the commit expected of
  // it; a stream the commit expects nothing of starts at 0.
  std::size_t first_member = 0;
  for (std::size_t i = 0; i < view_.events.size(); ++i) {
    EventView& event = view_.events[i];
    event.members = std::span<DataMember const>(members_).subspan(first_member, member_counts_[i]);
    first_member += member_counts_[i];
    auto it = std::find_if(next_version_.begin(), next_version_.end(),
                           [&](auto const& next) { return next.first == event.stream; });
    if (it == next_version_.end()) it = next_version_.insert(next_version_.end(), {event.stream, 0});
    event.version = it->second++;
  }
  return &view_;
}

Result<Event> decode_event(EventView const& event) {
  thread_local od::parser parser;
  od::document document;
  if (parser.iterate(codec_detail::padded(event.data)).get(document)) return malformed("not JSON");
  od::object data;
  if (document.get_object().get(data)) return malformed("data is not an object");
  return codec_detail::decode_event_data(event.type, event.schema, data);
}

}  // namespace ticketing
