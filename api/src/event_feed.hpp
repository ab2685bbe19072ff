#pragma once
// Internal: the log's events as Server-Sent Events, one event per message,
// in the analysts' walk order (analysis/walk.hpp). Each message's id is the
// position just after its event (analysis::EventPosition), so a client that
// reconnects with Last-Event-ID continues exactly after the last event it
// received. Only what the read models have applied is sent: a client that
// reads the API on an event sees it reflected there.

#include <functional>
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

class EventFeed final : public ResponseStream {
 public:
  EventFeed(EventLog& log, views::Projector const& projector, analysis::EventPosition from, FeedRender render);

  // Appends whole messages, about `limit` bytes at most; ends (false) only
  // when the log cannot be read (the client reconnects and resumes).
  bool poll(std::string& out, std::size_t limit) override;

 private:
  void render_current(std::string& out, std::size_t limit);

  views::Projector const& projector_;
  analysis::Walker walker_;
  FeedRender render_;
  analysis::EventPosition skip_;  // events of one commit the client already has
  std::optional<analysis::WalkedCommit> current_;
  std::vector<std::int64_t> versions_;  // of current_'s events
  std::size_t next_event_{0};
};

}  // namespace ticketing::api
