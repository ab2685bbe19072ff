#pragma once
// Internal: simdjson helpers shared by the codec translation units.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "domain/events.hpp"
#include "domain/result.hpp"
#include "eventstore/codec.hpp"
#include "eventstore/commit.hpp"

namespace ticketing::codec_detail {

inline Error malformed(std::string_view what) {
  return make_error(ErrorCode::invalid_input, "malformed record: " + std::string(what));
}

// `json` copied into a thread-local buffer with the padding simdjson needs.
// The view is valid until the next call on the same thread.
inline simdjson::padded_string_view padded(std::string_view json) {
  thread_local std::string buffer;
  buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(json);
  return simdjson::padded_string_view(buffer.data(), json.size(), buffer.capacity());
}

// Whether the parser may read `text` where it lies: the string has the
// slack the logs' readers leave past its end.
inline bool parses_in_place(std::string const& text) {
  static_assert(simdjson::SIMDJSON_PADDING <= kDecodeSlack);
  return text.capacity() >= text.size() + simdjson::SIMDJSON_PADDING;
}

// A stored commit's encoding as the parser wants it: in place when it has
// the slack, else copied as above.
inline simdjson::padded_string_view padded(StoredCommit const& commit) {
  std::string const& text = commit.encoded;
  if (!parses_in_place(text)) return padded(std::string_view(text));
  return simdjson::padded_string_view(text.data(), text.size(), text.capacity());
}

// Decodes the "data" object of an event of `type` written with `schema`.
Result<Event> decode_event_data(std::string_view type, std::int64_t schema, simdjson::ondemand::object data);

// Decodes an envelope {"type","schema","data"} (extra keys such as "stream"
// and "version" are ignored).
Result<Event> decode_event_object(simdjson::ondemand::object object);
// The same if `wanted` (when not null) accepts its type, read first; else
// nothing, and the rest of the envelope is left unread.
Result<std::optional<Event>> decode_event_object(simdjson::ondemand::object object,
                                                 bool (*wanted)(std::string_view type) noexcept);

// The stored binary encoding (binary_codec.cpp): whether `bytes` is one (a
// JSON text never starts with its tag), and its decoders, which decode_commit
// and decode_selected_events call for it.
bool is_binary(std::string_view bytes) noexcept;
Result<Commit> decode_binary_commit(std::string_view bytes);

// A binary commit taken apart in place: views into its bytes, its events'
// data not decoded. For readers that show a commit without building it.
struct BinaryEvent {
  std::string_view type;
  std::uint64_t schema{0};
  std::string_view data;
};
struct BinaryCommit {
  std::string_view commit_id, partition_key, correlation_id, causation_id, user_id, idempotency_key;
  Instant recorded_at{};
  std::vector<std::pair<std::string_view, std::int64_t>> expected;  // stream, version
  std::vector<BinaryEvent> events;
};
// Replaces `out` (its memory reused); refuses what decode_binary_commit
// refuses, but an event's data, which decode_binary_event checks.
Result<void> read_binary_commit(std::string_view bytes, BinaryCommit& out);
Result<Event> decode_binary_event(BinaryEvent const& event);
Result<void> decode_selected_binary(std::string_view bytes, bool (*wanted)(std::string_view type) noexcept,
                                    SelectedEvents& selected);

}  // namespace ticketing::codec_detail
