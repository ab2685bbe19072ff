#pragma once
// The line formats of `ticketing export` (README "For analysts"):
//   jsonl    one event per line: type, schema, stream, version, at, data, and
//            its commit's partition, offset, commit_id, recorded_at,
//            correlation_id;
//   csv      one event per line, flat typed columns (csv_header());
//   commits  one commit per line as the log holds it, with its position.
// Callers redact before rendering (redaction.hpp).

#include <string>

#include "eventstore/commit.hpp"
#include "eventstore/commit_view.hpp"

namespace ticketing::analysis {

// Where an event sits: its stream and version, and its commit.
struct EventPlace {
  std::string stream;
  std::int64_t version{0};
  Position position;
  std::string commit_id;
  Instant recorded_at;  // as walked (walk.hpp)
  std::string correlation_id;
};

[[nodiscard]] std::string jsonl_line(Event const& event, EventPlace const& place);
// The line appended to `out` (without a line break).
void append_jsonl_line(std::string& out, Event const& event, EventPlace const& place);
// The same lines from an event as the log stores it, its data copied as it
// is: for events that need no upgrade, completion or redaction (an event of
// its type's current schema that Redactor::may_change() leaves alone), equal
// to the lines of the decoded event.
void append_jsonl_line(std::string& out, EventView const& event, EventPlace const& place);
void append_csv_line(std::string& out, EventView const& event, EventPlace const& place);

[[nodiscard]] std::string csv_header();
[[nodiscard]] std::string csv_line(Event const& event, EventPlace const& place);
void append_csv_line(std::string& out, Event const& event, EventPlace const& place);
[[nodiscard]] std::string commit_line(RecordedCommit const& commit, Instant recorded_at);

// A CSV field: quoted (quotes doubled) only when it holds a comma, a quote or
// a line break.
[[nodiscard]] std::string csv_field(std::string_view text);
void append_csv_field(std::string& out, std::string_view text);

// The instant an event says it happened.
[[nodiscard]] Instant event_time(Event const& event);

}  // namespace ticketing::analysis
