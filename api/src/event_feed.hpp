#pragma once
// Internal: the log's events as Server-Sent Events, one event per message,
// in the analysts' walk order (analysis/walk.hpp). Each message's id is the
// position just after its event (analysis::EventPosition), so a client that
// reconnects with Last-Event-ID continues exactly after the last event it
// received. Only what the read models have applied is sent: a client that
// reads the API on an event sees it reflected there.

#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "analysis/event_lines.hpp"
#include "analysis/walk.hpp"
#include "api/http_message.hpp"
#include "projections/projector.hpp"

namespace ticketing::api {

// One message: the SSE event name ("" for the default, "message") and its
// data (one line, no line breaks).
struct FeedMessage {
  std::string event;
  std::string data;
};
// The message for an event, or nullopt to skip it; `commit` is every event
// of the event's commit (a change may be told with what its siblings say).
using FeedRender = std::function<std::optional<FeedMessage>(Event const& event, analysis::EventPlace const& place,
                                                            std::span<Event const> commit)>;

// Appends the messages of `walked`'s events from index `first` on, until
// `out` passes `limit` bytes; `versions` are its events' stream versions and
// `cut_after` the walk's cut after it (each message's id is the position just
// after its event). Returns the index of the first event not looked at.
std::size_t append_messages(analysis::WalkedCommit const& walked, std::vector<std::int64_t> const& versions,
                            analysis::Positions const& cut_after, std::size_t first, FeedRender const& render,
                            std::string& out, std::size_t limit);

class SharedFeed;

class EventFeed final : public ResponseStream {
 public:
  // With `shared` (rendered by the same `render`), the stream follows it
  // whenever it keeps up with the log (shared_feed.hpp).
  EventFeed(EventLog& log, views::Projector const& projector, analysis::EventPosition from, FeedRender render,
            std::shared_ptr<SharedFeed> shared = nullptr);

  // Appends whole messages, about `limit` bytes at most; ends (false) only
  // when the log cannot be read (the client reconnects and resumes).
  bool poll(std::string& out, std::size_t limit) override;
  ~EventFeed() override;
  EventFeed(EventFeed const&) = delete;
  EventFeed& operator=(EventFeed const&) = delete;

 private:
  // The stream's own walk, up to `end`; false when the log cannot be read.
  bool walk(analysis::Positions const& end, std::string& out, std::size_t limit);
  void render_current(std::string& out, std::size_t limit);
  // Follows the shared feed once the own walk stands where it does.
  bool join_shared(analysis::Positions& end);

  EventLog& log_;
  views::Projector const& projector_;
  analysis::Walker walker_;
  FeedRender render_;
  analysis::EventPosition skip_;  // events of one commit the client already has
  std::optional<analysis::WalkedCommit> current_;
  std::vector<std::int64_t> versions_;  // of current_'s events
  std::size_t next_event_{0};

  std::shared_ptr<SharedFeed> shared_;
  bool following_{false};              // reading the shared feed's messages
  std::uint64_t shared_next_{0};       // while following: its next commit's number
  analysis::Positions shared_cut_;     // while following: the cut after the last commit read
  std::optional<std::uint64_t> join_;  // the shared commit number to join at, once the own walk is at join_cut_
  analysis::Positions join_cut_;
};

}  // namespace ticketing::api
