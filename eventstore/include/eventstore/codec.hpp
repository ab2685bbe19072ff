#pragma once
// Codecs for events and commits: the bytes of the log.
//
// An event is {"type":T,"schema":N,"data":{...}}; field names are the event's
// member names, Money members are written as integer cents with a "_cents"
// suffix, instants as ISO-8601 strings. A commit is one self-describing JSON
// document (see schemas/commit.schema.json). Decoding accepts every schema
// version ever written and upgrades older ones to the current struct. Keys
// "type" and "schema" must precede "data" (the encoder writes them so).
//
// The JSON commit is what Kafka records hold and what readers of the log are
// shown. The embedded log stores a commit in a compact binary encoding
// instead (encode_stored_commit; layout in binary_codec.cpp), which the
// decoders below read as well: a store written before it, in JSON, reads on.

#include <optional>
#include <string>
#include <string_view>

#include "domain/result.hpp"
#include "encoding/json_writer.hpp"
#include "eventstore/commit.hpp"

namespace ticketing {

// The schema version new events of `type` are written with; 0 if unknown.
[[nodiscard]] int current_schema_version(std::string_view type) noexcept;
// The schema version `event` is written with.
[[nodiscard]] int current_schema_version(Event const& event) noexcept;

// The members of an encoded event ("type", "schema", "data") into an open object.
void write_event(JsonWriter& out, Event const& event);
// The "data" object alone, as one value.
void write_event_data(JsonWriter& out, Event const& event);
[[nodiscard]] std::string encode_event(Event const& event);
[[nodiscard]] Result<Event> decode_event(std::string_view json);

[[nodiscard]] std::string encode_commit(Commit const& commit);
// The embedded log's binary encoding of `commit`: about a third of the JSON's size,
// decoded without parsing text.
[[nodiscard]] std::string encode_stored_commit(Commit const& commit);
// Either encoding. invalid_input with a message naming the fault for
// malformed input.
[[nodiscard]] Result<Commit> decode_commit(std::string_view encoded);
// The commit's event at `index` alone (nullopt when it has fewer events),
// for readers of one stream: of a binary commit, the envelope and the other
// events' framing are checked, their contents neither built nor checked; a
// JSON commit is decoded whole. Errors as decode_commit's for what it reads.
[[nodiscard]] Result<std::optional<Event>> decode_event_at(std::string_view encoded, std::size_t index);

// Of a commit, its recorded time and the events whose type `wanted` accepts,
// decoded (and upgraded) as decode_commit does; the rest is skipped unread.
// For readers that fold a few event types over a whole log.
struct SelectedEvents {
  Instant recorded_at{};
  Events events;
};
[[nodiscard]] Result<SelectedEvents> decode_selected_events(std::string_view encoded,
                                                            bool (*wanted)(std::string_view type) noexcept);
// The same from a commit as a log read it, parsed in place (kDecodeSlack).
[[nodiscard]] Result<SelectedEvents> decode_selected_events(StoredCommit const& commit,
                                                            bool (*wanted)(std::string_view type) noexcept);
// The same into `out`, whose events are replaced and whose memory is reused
// (a binary commit's event is decoded over the one in its place when that is
// of the same type, so its strings keep their memory): for readers that
// decode commit after commit. On an error, `out`'s events are unspecified.
[[nodiscard]] Result<void> decode_selected_events(StoredCommit const& commit,
                                                  bool (*wanted)(std::string_view type) noexcept, SelectedEvents& out);

}  // namespace ticketing
