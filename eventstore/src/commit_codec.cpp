#include <map>

#include "codec_detail.hpp"
#include "eventstore/codec.hpp"

namespace ticketing {
namespace {

namespace od = simdjson::ondemand;
using codec_detail::malformed;

void write_meta(JsonWriter& out, CommitMeta const& meta) {
  out.key("meta").begin_object();
  out.key("correlation_id").string(meta.correlation_id);
  out.key("causation_id").string(meta.causation_id);
  out.key("user_id").string(meta.user_id);
  out.key("idempotency_key").string(meta.idempotency_key);
  out.key("recorded_at").string(format_iso8601(meta.recorded_at));
  out.end_object();
}

Result<CommitMeta> read_meta(od::object object) {
  CommitMeta meta;
  for (auto field : object) {
    std::string_view key, value;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    if (field.value().get_string().get(value)) return malformed("meta." + std::string(key) + " is not a string");
    if (key == "correlation_id") {
      meta.correlation_id = value;
    } else if (key == "causation_id") {
      meta.causation_id = value;
    } else if (key == "user_id") {
      meta.user_id = value;
    } else if (key == "idempotency_key") {
      meta.idempotency_key = value;
    } else if (key == "recorded_at") {
      auto const t = parse_iso8601(value);
      if (!t) return malformed("meta.recorded_at is not an ISO-8601 time");
      meta.recorded_at = *t;
    }
  }
  return meta;
}

// Only meta.recorded_at; the other members are skipped unread.
Result<Instant> read_recorded_at(od::object object) {
  Instant recorded_at{};
  for (auto field : object) {
    std::string_view key, value;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    if (key != "recorded_at") continue;
    if (field.value().get_string().get(value)) return malformed("meta.recorded_at is not a string");
    auto const t = parse_iso8601(value);
    if (!t) return malformed("meta.recorded_at is not an ISO-8601 time");
    recorded_at = *t;
  }
  return recorded_at;
}

Result<std::vector<ExpectedVersion>> read_expected(od::array array) {
  std::vector<ExpectedVersion> expected;
  for (auto element : array) {
    od::object object;
    if (element.get_object().get(object)) return malformed("expected entry is not an object");
    ExpectedVersion ev;
    int seen = 0;
    for (auto field : object) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return malformed("bad key");
      if (key == "stream") {
        std::string_view s;
        if (field.value().get_string().get(s)) return malformed("expected.stream is not a string");
        ev.stream = s;
        seen |= 1;
      } else if (key == "version") {
        if (field.value().get_int64().get(ev.version)) return malformed("expected.version is not an integer");
        if (!is_expected_version(ev.version)) return malformed("expected.version is out of range");
        seen |= 2;
      }
    }
    if (seen != 3) return malformed("expected entry lacks stream or version");
    expected.push_back(std::move(ev));
  }
  return expected;
}

Result<Events> read_events(od::array array) {
  Events events;
  for (auto element : array) {
    od::object object;
    if (element.get_object().get(object)) return malformed("event is not an object");
    auto event = codec_detail::decode_event_object(object);
    if (!event) return event.error();
    events.push_back(std::move(*event));
  }
  return events;
}

}  // namespace

std::string encode_commit(Commit const& commit) {
  JsonWriter out;
  out.reserve(256 + 256 * commit.events.size());
  out.begin_object();
  out.key("commit_id").string(commit.commit_id);
  out.key("partition_key").string(commit.partition_key);
  out.key("expected").begin_array();
  std::map<std::string_view, std::int64_t> next;
  for (auto const& e : commit.expected) {
    out.begin_object().key("stream").string(e.stream).key("version").number(e.version).end_object();
    next[e.stream] = e.version + 1;
  }
  out.end_array();
  out.key("events").begin_array();
  for (auto const& event : commit.events) {
    std::string const stream = stream_of(event);
    out.begin_object().key("stream").string(stream);
    if (auto it = next.find(stream); it != next.end()) out.key("version").number(it->second++);
    write_event(out, event);
    out.end_object();
  }
  out.end_array();
  write_meta(out, commit.meta);
  out.end_object();
  return out.take();
}

Result<Commit> decode_commit(std::string_view encoded) {
  if (codec_detail::is_binary(encoded)) return codec_detail::decode_binary_commit(encoded);
  thread_local od::parser parser;
  od::document doc;
  if (parser.iterate(codec_detail::padded(encoded)).get(doc)) return malformed("not JSON");
  od::object object;
  if (doc.get_object().get(object)) return malformed("commit is not an object");
  Commit commit;
  int seen = 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    if (key == "commit_id" || key == "partition_key") {
      std::string_view s;
      if (field.value().get_string().get(s)) return malformed(std::string(key) + " is not a string");
      (key == "commit_id" ? commit.commit_id : commit.partition_key) = s;
      seen |= key == "commit_id" ? 1 : 2;
    } else if (key == "expected") {
      od::array array;
      if (field.value().get_array().get(array)) return malformed("expected is not an array");
      auto expected = read_expected(array);
      if (!expected) return expected.error();
      commit.expected = std::move(*expected);
      seen |= 4;
    } else if (key == "events") {
      od::array array;
      if (field.value().get_array().get(array)) return malformed("events is not an array");
      auto events = read_events(array);
      if (!events) return events.error();
      commit.events = std::move(*events);
      seen |= 8;
    } else if (key == "meta") {
      od::object meta_object;
      if (field.value().get_object().get(meta_object)) return malformed("meta is not an object");
      auto meta = read_meta(meta_object);
      if (!meta) return meta.error();
      commit.meta = std::move(*meta);
      seen |= 16;
    }
  }
  if (seen != 31) return malformed("commit lacks a field");
  return commit;
}

Result<std::optional<Event>> decode_event_at(std::string_view encoded, std::size_t index) {
  if (codec_detail::is_binary(encoded)) {
    thread_local codec_detail::BinaryCommit parts;  // its memory reused
    if (auto read = codec_detail::read_binary_commit(encoded, parts); !read) return read.error();
    if (index >= parts.events.size()) return std::optional<Event>();
    auto event = codec_detail::decode_binary_event(parts.events[index]);
    if (!event) return event.error();
    return std::optional<Event>(std::move(*event));
  }
  auto commit = decode_commit(encoded);
  if (!commit) return commit.error();
  if (index >= commit->events.size()) return std::optional<Event>();
  return std::optional<Event>(std::move(commit->events[index]));
}

namespace {

Result<SelectedEvents> decode_selected(simdjson::padded_string_view json,
                                       bool (*wanted)(std::string_view type) noexcept) {
  thread_local od::parser parser;
  od::document doc;
  if (parser.iterate(json).get(doc)) return malformed("not JSON");
  od::object object;
  if (doc.get_object().get(object)) return malformed("commit is not an object");
  SelectedEvents selected;
  int seen = 0;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("bad key");
    if (key == "events") {
      od::array array;
      if (field.value().get_array().get(array)) return malformed("events is not an array");
      selected.events.clear();  // a repeated key: the last one counts, as in decode_commit
      for (auto element : array) {
        od::object event;
        if (element.get_object().get(event)) return malformed("event is not an object");
        auto decoded = codec_detail::decode_event_object(event, wanted);
        if (!decoded) return decoded.error();
        if (*decoded) selected.events.push_back(std::move(**decoded));
      }
      seen |= 1;
    } else if (key == "meta") {
      od::object meta_object;
      if (field.value().get_object().get(meta_object)) return malformed("meta is not an object");
      auto recorded_at = read_recorded_at(meta_object);
      if (!recorded_at) return recorded_at.error();
      selected.recorded_at = *recorded_at;
      seen |= 2;
    }
  }
  if (seen != 3) return malformed("commit lacks a field");
  return selected;
}

}  // namespace

Result<SelectedEvents> decode_selected_events(std::string_view encoded,
                                              bool (*wanted)(std::string_view type) noexcept) {
  if (codec_detail::is_binary(encoded)) {
    SelectedEvents selected;
    if (auto decoded = codec_detail::decode_selected_binary(encoded, wanted, selected); !decoded) {
      return decoded.error();
    }
    return selected;
  }
  return decode_selected(codec_detail::padded(encoded), wanted);
}

Result<SelectedEvents> decode_selected_events(StoredCommit const& commit,
                                              bool (*wanted)(std::string_view type) noexcept) {
  SelectedEvents selected;
  if (auto decoded = decode_selected_events(commit, wanted, selected); !decoded) return decoded.error();
  return selected;
}

Result<void> decode_selected_events(StoredCommit const& commit, bool (*wanted)(std::string_view type) noexcept,
                                    SelectedEvents& out) {
  if (codec_detail::is_binary(commit.encoded)) return codec_detail::decode_selected_binary(commit.encoded, wanted, out);
  auto selected = decode_selected(codec_detail::padded(commit), wanted);
  if (!selected) return selected.error();
  out = std::move(*selected);
  return {};
}

}  // namespace ticketing
