#pragma once
// A stored commit (either of codec.hpp's encodings) taken apart without building typed
// events: the commit's and each event's envelope as views, each event's data
// as the JSON text the log holds. For readers that copy most of a commit
// through as it is (analysis's export) and decode only the events they must.

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.hpp"
#include "domain/result.hpp"
#include "eventstore/commit.hpp"

namespace ticketing {

// A member of an event's data that is a string or an integer, as text: a
// string unescaped, an integer in decimal. (Booleans are left out.)
struct DataMember {
  std::string_view key;
  std::string_view text;
};

struct EventView {
  std::string_view stream;              // unescaped
  std::int64_t version{0};              // the stream version the event got (analysis::event_versions' rule)
  std::string_view type;                // unescaped
  std::int64_t schema{0};               // the schema version it was written with
  Instant at{};                         // the data's "at"
  std::string_view data;                // the "data" object, its JSON text as stored
  std::span<DataMember const> members;  // of the data, in stored order
};

struct CommitView {
  std::string_view commit_id, partition_key, correlation_id;  // unescaped
  Instant recorded_at{};                                      // as stamped
  std::vector<EventView> events;
};

// Takes stored commits apart, one at a time. Not thread-safe: one per thread.
class CommitReader {
 public:
  CommitReader();
  ~CommitReader();
  CommitReader(CommitReader const&) = delete;
  CommitReader& operator=(CommitReader const&) = delete;

  // The view of `encoded`, pointing into this reader's own copy and parser:
  // valid until the next read(). invalid_input, naming the fault, when
  // `encoded` is not a commit: not JSON, a member missing or of the wrong
  // kind, an event whose data has no "at" time. An event's data is checked
  // against its type's schema only when it is decoded (decode_event below).
  [[nodiscard]] Result<CommitView const*> read(std::string_view encoded);
  // The same of a commit as a log read it, in place (kDecodeSlack): the
  // view points into `commit`, which must outlive it.
  [[nodiscard]] Result<CommitView const*> read(StoredCommit const& commit);

 private:
  struct Parser;
  Result<CommitView const*> read_binary(std::string_view encoded);
  void clear();
  // Each event's version and members, once the events are read.
  CommitView const* finish();
  // `size` bytes of text in a buffer of `capacity` (the parser reads past the end).
  Result<CommitView const*> parse(char const* text, std::size_t size, std::size_t capacity);
  std::unique_ptr<Parser> parser_;
  CommitView view_;
  std::vector<std::pair<std::string_view, std::int64_t>> next_version_;
  std::vector<DataMember> members_;
  std::vector<std::size_t> member_counts_;  // per event
  std::deque<std::string> numbers_;         // text the views show that the commit does not hold as such
};

// The typed event a view shows (upgraded from older schemas as decode_event
// does); thread-safe.
[[nodiscard]] Result<Event> decode_event(EventView const& event);

}  // namespace ticketing
